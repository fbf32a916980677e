// GitHub's secret scanning partner program (docs/secret-scanning.md): the report GitHub POSTs,
// signed over its raw bytes with ECDSA P-256 / SHA-256 (header Github-Public-Key-Signature, base64
// DER) by the key named in Github-Public-Key-Identifier. Parsing and checking only; imports
// nothing from storage or http. attacker-controlled until the signature checks out, and parsed
// defensively even then.
import { createPublicKey, verify } from 'node:crypto';
import { fail } from '../errors.js';

/** One key from the program's key list: `{key_identifier, key (PEM), is_current}`. */
export interface ScanningKey {
  keyIdentifier: string;
  /** PEM SubjectPublicKeyInfo. */
  key: string;
}

export interface ReportedToken {
  token: string;
  type: string;
  url: string;
  source: string;
}

/** GitHub sends batches; far more than it sends at once is not a report. */
export const MAX_REPORTED = 1000;
const MAX_FIELD = 2048;

/** Checks the signature over the exact bytes received, before anything in them is read. */
export function checkSignature(
  body: Buffer,
  keyId: string | undefined,
  signature: string | undefined,
  keys: ScanningKey[],
): void {
  if (!keyId || !signature) {
    fail('ReportSignatureInvalid', 'The report needs the Github-Public-Key-Identifier and Github-Public-Key-Signature headers.');
  }
  const key = keys.find((k) => k.keyIdentifier === keyId);
  if (!key) fail('ReportKeyUnknown', 'The report is signed by a key the secret-scanning key list does not hold.');
  let ok = false;
  try {
    ok = verify('sha256', body, createPublicKey(key.key), Buffer.from(signature, 'base64'));
  } catch {
    ok = false;
  }
  if (!ok) fail('ReportSignatureInvalid', 'The report’s signature does not verify; nothing was revoked.');
}

/** The program's key list, `{public_keys: [{key_identifier, key, is_current}]}`; entries of another shape are dropped. */
export function parseKeyList(raw: unknown): ScanningKey[] {
  const list = isObject(raw) && Array.isArray(raw.public_keys) ? raw.public_keys : undefined;
  if (!list) throw new Error('the key list has no "public_keys" array');
  return list.flatMap((entry: unknown) =>
    isObject(entry) && typeof entry.key_identifier === 'string' && typeof entry.key === 'string'
      ? [{ keyIdentifier: entry.key_identifier, key: entry.key }]
      : [],
  );
}

export function parseReport(body: Buffer): ReportedToken[] {
  let raw: unknown;
  try {
    raw = JSON.parse(body.toString('utf8'));
  } catch {
    fail('ReportMalformed', 'The report is not JSON.');
  }
  if (!Array.isArray(raw)) fail('ReportMalformed', 'The report must be a JSON array of {token, type, url, source}.');
  if (raw.length > MAX_REPORTED)
    fail('ReportMalformed', `A report holds at most ${MAX_REPORTED} tokens; this one has ${raw.length}.`);
  return raw.map((entry: unknown, i) => {
    if (!isObject(entry)) fail('ReportMalformed', `Entry ${i} is not an object.`);
    const field = (name: string, required: boolean) => {
      const value = entry[name];
      if (value === undefined && !required) return '';
      if (typeof value !== 'string' || value.length > MAX_FIELD) {
        fail('ReportMalformed', `Entry ${i}: "${name}" must be a string of at most ${MAX_FIELD} characters.`);
      }
      return value;
    };
    return { token: field('token', true), type: field('type', true), url: field('url', false), source: field('source', false) };
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
