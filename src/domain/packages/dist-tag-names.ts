// Dist-tag names: short, URL-safe, and never something npm would read as a version range.
import semver from 'semver';
import { fail } from '../errors.js';
import { printable } from './names.js';

export function parseTagName(raw: unknown): string {
  if (typeof raw !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(raw)) {
    fail('TagInvalid', `"${printable(String(raw))}" is not a valid dist-tag: use up to 64 letters, digits, ".", "_" or "-".`);
  }
  // npm resolves `pkg@<spec>` as a range first, so a tag like "1.x" could never be installed by name.
  if (semver.validRange(raw) !== null) fail('TagInvalid', `"${raw}" looks like a version range and cannot be a dist-tag.`);
  return raw;
}
