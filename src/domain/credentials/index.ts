// The credentials domain wired in one place: the leaked-password screen sign-up, password change
// and login ask. The composition root hands in the HIBP client when GATEHOUSE_HIBP_URL is set;
// the bundled list is always there, as the default and as the fallback.
import { readFileSync } from 'node:fs';
import type { PasswordScreen } from '../accounts/password-screen.js';
import { OfflinePwnedPasswords } from './offline-list.js';
import { PwnedPasswordScreen, type RangeSource } from './screen.js';

/** data/pwned-passwords/common-passwords.txt, from src/ and from dist/ alike (package.json "files" ships data/). */
export const BUNDLED_LIST = new URL('../../../data/pwned-passwords/common-passwords.txt', import.meta.url);

export interface CredentialsDeps {
  /** The HIBP range client; absent, the bundled list alone answers. */
  hibp?: RangeSource;
  /** A range source that failed; the registry turns it into a process warning. */
  onUnavailable(source: string, reason: string): void;
}

export interface CredentialsDomain {
  passwordScreen: PasswordScreen;
  /** The bundled list on its own: a fallback that needs no network. */
  offlineList: OfflinePwnedPasswords;
}

let bundled: OfflinePwnedPasswords | undefined;

/** The bundled list, read once per process: every registry a test opens shares it. */
function bundledList(): OfflinePwnedPasswords {
  bundled ??= new OfflinePwnedPasswords(readFileSync(BUNDLED_LIST, 'utf8'));
  return bundled;
}

export function wireCredentials(deps: CredentialsDeps): CredentialsDomain {
  const offlineList = bundledList();
  const passwordScreen = new PwnedPasswordScreen({
    primary: deps.hibp ?? offlineList,
    fallback: deps.hibp ? offlineList : undefined,
    onUnavailable: deps.onUnavailable,
  });
  return { passwordScreen, offlineList };
}
