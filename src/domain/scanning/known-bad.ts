// The known-bad digest list's format: one digest per line, an npm integrity string
// (`sha512-<base64>`) or a SHA-256 in hex, then an optional note; `#` starts a comment. A digest
// may be of a whole tarball or of one file in it. attacker-supplied lists are not expected, but a
// malformed line is reported by number and never half-imported.
import { fail } from '../errors.js';

export type KnownBadDigest = string & { readonly brand: 'KnownBadDigest' };

export interface KnownBadEntry {
  digest: KnownBadDigest;
  note: string;
}

const SHA512 = /^sha512-[A-Za-z0-9+/]{86}==$/;
const SHA256_HEX = /^[0-9a-fA-F]{64}$/;
const MAX_NOTE = 300;

/** The one spelling a digest is stored and looked up under. */
export function digestKey(raw: string): KnownBadDigest | undefined {
  if (SHA512.test(raw)) return raw as KnownBadDigest;
  if (SHA256_HEX.test(raw)) return `sha256:${raw.toLowerCase()}` as KnownBadDigest;
  return undefined;
}

/** Every entry of a list file, or a BadRequest naming the first bad line (nothing is imported then). */
export function parseKnownBadList(text: string): KnownBadEntry[] {
  const entries: KnownBadEntry[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    const content = line.replace(/\s#.*$/, '').trim();
    if (content === '' || content.startsWith('#')) return;
    const [first = '', ...rest] = content.split(/\s+/);
    const digest = digestKey(first);
    if (!digest)
      fail(
        'BadRequest',
        `Line ${i + 1} of the known-bad list is not a sha512 integrity string or a SHA-256 in hex: "${first.slice(0, 100)}".`,
      );
    entries.push({ digest, note: rest.join(' ').slice(0, MAX_NOTE) });
  });
  return entries;
}
