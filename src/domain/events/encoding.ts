// The one canonical byte form of an event: what the transparency log will hash as a leaf and
// signatures will sign, so equal events must give equal bytes on every instance and release.
// It must never depend on key order, engine, locale or whitespace, and never guess at a value.
import type { RegistryEvent } from './store.js';

/**
 * Canonical JSON, modelled on RFC 8785 (JCS) restricted to what events hold:
 * - objects: members sorted by key, compared as UTF-16 code units (JCS §3.2.3, the same order as
 *   JavaScript's default string sort); members whose value is `undefined` are left out, exactly as
 *   the stored JSON leaves them out, so an event encodes the same before and after a round trip;
 * - arrays keep their order; no whitespace anywhere;
 * - strings: JSON.stringify's escaping (JCS §3.2.2.2 uses the same rules); a lone surrogate is
 *   refused, since it has no UTF-8 form;
 * - numbers: safe integers only, written in decimal (-0 as 0); fractions, NaN, Infinity, BigInt
 *   are refused, so no float formatting question ever arises;
 * - true, false, null as themselves; anything else (functions, symbols, undefined in an array,
 *   class instances such as Date or Buffer) is refused;
 * - the text is encoded as UTF-8 with no byte-order mark.
 * A refusal is a programming error in the caller and throws a TypeError naming the path.
 */
export function canonicalJson(value: unknown): string {
  return write(value, '$');
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function write(value: unknown, path: string): string {
  if (value === null || value === true || value === false) return String(value);
  if (typeof value === 'string') {
    if (LONE_SURROGATE.test(value)) throw new TypeError(`${path}: a string with a lone surrogate has no canonical form`);
    return JSON.stringify(value);
  }
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new TypeError(`${path}: only safe integers are allowed, not ${value}`);
    return String(value === 0 ? 0 : value);
  }
  if (Array.isArray(value)) {
    return `[${value.map((item, i) => (item === undefined ? refuse(`${path}[${i}]`, item) : write(item, `${path}[${i}]`))).join(',')}]`;
  }
  if (typeof value === 'object' && isPlain(value)) {
    const members = Object.keys(value)
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .sort()
      .map((key) => `${write(key, `${path} key`)}:${write((value as Record<string, unknown>)[key], `${path}.${key}`)}`);
    return `{${members.join(',')}}`;
  }
  return refuse(path, value);
}

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function refuse(path: string, value: unknown): never {
  throw new TypeError(`${path}: ${typeof value} has no canonical JSON form`);
}

/**
 * A committed event's canonical bytes: every field, absent ones as null, so the leaf binds the
 * event's position (`seq`), author, subject, time and payload together.
 */
export function encodeEvent(event: RegistryEvent): Buffer {
  const { seq, type, actor, packageName, version, data, createdAt } = event;
  return Buffer.from(canonicalJson({ seq, type, actor, packageName, version, data, createdAt }), 'utf8');
}
