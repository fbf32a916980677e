// The integrity a lockfile pins (Subresource Integrity: "sha512-<base64>", possibly several, space
// separated) and the check of a tarball against it. The strongest pinned digest is the one checked:
// sha512 whenever it is pinned, sha1 only when a lockfile pins nothing else (old packages).
import { createHash } from 'node:crypto';
import { ClientError } from '../errors.js';

export type Algorithm = 'sha512' | 'sha384' | 'sha256' | 'sha1';
const STRENGTH: Algorithm[] = ['sha512', 'sha384', 'sha256', 'sha1'];

export interface Digest {
  algorithm: Algorithm;
  /** base64, as in the lockfile. */
  value: string;
}

/** The strongest digest in an SRI string, or undefined when it names none this client knows. */
export function strongest(integrity: string | undefined): Digest | undefined {
  if (!integrity) return undefined;
  const found = new Map<string, string>();
  for (const token of integrity.trim().split(/\s+/)) {
    const match = /^(sha512|sha384|sha256|sha1)-([A-Za-z0-9+/]+={0,2})(\?.*)?$/.exec(token);
    if (match && !found.has(match[1] as string)) found.set(match[1] as string, match[2] as string);
  }
  for (const algorithm of STRENGTH) {
    const value = found.get(algorithm);
    if (value !== undefined) return { algorithm, value };
  }
  return undefined;
}

export function digestOf(bytes: Buffer, algorithm: Algorithm): Digest {
  return { algorithm, value: createHash(algorithm).update(bytes).digest('base64') };
}

export function show(digest: Digest): string {
  return `${digest.algorithm}-${digest.value}`;
}

/** Throws a ClientError naming the package and both digests when the bytes are not the pinned ones. */
export function verify(bytes: Buffer, pinned: Digest, what: string, from: string): void {
  const actual = digestOf(bytes, pinned.algorithm);
  if (actual.value !== pinned.value) {
    throw new ClientError(
      `Integrity check failed for ${what}: the lockfile pins ${show(pinned)} but ${from} has ${show(actual)}. ` +
        'Nothing was installed. The tarball changed since the lockfile was written; if that is expected, ' +
        'regenerate the lockfile, otherwise treat the registry copy as tampered with.',
    );
  }
}
