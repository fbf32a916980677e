// The leaked-password screen: asks a range source (Have I Been Pwned's API, or the bundled list)
// whether a password has been seen in a breach. Only the SHA-1's first five hex characters are
// ever handed to a source. Policy when the API does not answer: fail open to the bundled list
// (a sign-up or login is never blocked by an outage), and say so in a warning that names the
// source and the failure, never the password, its hash or its prefix. See docs/leaked-passwords.md.
import type { PasswordScreen } from '../accounts/password-screen.js';
import { breachCount, rangeKey } from './pwned-range.js';

/** Something that answers k-anonymity range questions in HIBP's `SUFFIX:COUNT` format. */
export interface RangeSource {
  /** Names the source in warnings ("HIBP range API", "bundled list"). */
  readonly name: string;
  /** Every breached suffix under `prefix` (5 upper-case hex); throws when it cannot answer. */
  range(prefix: string): Promise<string>;
}

export interface PwnedPasswordScreenOptions {
  /** Asked first: the HIBP client when one is configured, else the bundled list. */
  primary: RangeSource;
  /** Asked when `primary` throws; without one, a failure of `primary` counts as "not leaked". */
  fallback?: RangeSource;
  /** Told about every failed `primary` answer; `reason` never holds the password or its hash. */
  onUnavailable(source: string, reason: string): void;
}

export class PwnedPasswordScreen implements PasswordScreen {
  constructor(private readonly opts: PwnedPasswordScreenOptions) {}

  async isLeaked(password: string): Promise<boolean> {
    const { prefix, suffix } = rangeKey(password);
    return breachCount(await this.rangeFor(prefix), suffix) > 0;
  }

  private async rangeFor(prefix: string): Promise<string> {
    const { primary, fallback } = this.opts;
    try {
      return await primary.range(prefix);
    } catch (err) {
      this.opts.onUnavailable(primary.name, (err as Error).message);
      // Fail open: an unreachable API must not lock everyone out of signing up or in.
      return fallback ? fallback.range(prefix).catch(() => '') : '';
    }
  }
}
