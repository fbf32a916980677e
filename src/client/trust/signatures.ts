// Registry signatures checked the way `npm audit signatures` checks them (npm's verify-signatures
// and pacote's registry fetcher): ECDSA P-256/SHA-256 over `${name}@${version}:${integrity}` with a
// key from the registry's /-/npm/v1/keys, refused when the key had expired by the version's publish
// time. Pure: the keys and the packument are handed in. attacker-controlled: both come from the
// registry, so every field is type-checked before use.
import { createPublicKey, verify } from 'node:crypto';
import { signedMessage } from '../../domain/signatures/keys.js';

export type CheckResult = 'verified' | 'absent' | 'invalid';

export interface RegistryKey {
  keyid: string;
  /** Base64 DER SubjectPublicKeyInfo, as /-/npm/v1/keys serves it. */
  key: string;
  /** ISO time after which the key signs nothing; null: current. */
  expires: string | null;
}

/** npm's cutoff for a version without a `time` entry (pacote: a missing time counts as 2015-01-01). */
const NO_TIME = Date.parse('2015-01-01T00:00:00.000Z');

/** The keys from a /-/npm/v1/keys answer, dropping entries not in npm's shape. */
export function parseKeys(doc: unknown): RegistryKey[] {
  const keys = (doc as { keys?: unknown } | undefined)?.keys;
  if (!Array.isArray(keys)) return [];
  return keys.flatMap((k: Record<string, unknown>): RegistryKey[] =>
    typeof k?.keyid === 'string' && typeof k.key === 'string'
      ? [{ keyid: k.keyid, key: k.key, expires: typeof k.expires === 'string' ? k.expires : null }]
      : [],
  );
}

export interface SignatureInput {
  name: string;
  version: string;
  /** The pinned integrity (the lockfile's): the signature must cover exactly this. */
  integrity: string;
  /** The version's `dist.signatures` as served. */
  signatures: unknown;
  /** `time[version]` from the full packument. */
  publishedAt: string | undefined;
}

export function checkSignature(keys: readonly RegistryKey[], input: SignatureInput): { result: CheckResult; detail?: string } {
  const sigs = Array.isArray(input.signatures)
    ? input.signatures.filter(
        (s): s is { keyid: string; sig: string } => typeof s?.keyid === 'string' && typeof s?.sig === 'string',
      )
    : [];
  if (sigs.length === 0) return { result: 'absent', detail: 'the registry has keys but this version carries no signature' };
  const message = Buffer.from(signedMessage(input.name, input.version, input.integrity));
  const published = input.publishedAt ? Date.parse(input.publishedAt) : NO_TIME;
  const problems: string[] = [];
  for (const sig of sigs) {
    const key = keys.find((k) => k.keyid === sig.keyid);
    if (!key) {
      problems.push(`signed with ${sig.keyid}, a key the registry does not list`);
      continue;
    }
    if (key.expires !== null && !(published < Date.parse(key.expires))) {
      problems.push(`signed with ${sig.keyid}, which expired ${key.expires}, before this version's publish time`);
      continue;
    }
    let ok = false;
    try {
      const publicKey = createPublicKey({ key: Buffer.from(key.key, 'base64'), format: 'der', type: 'spki' });
      ok = verify('sha256', message, publicKey, Buffer.from(sig.sig, 'base64'));
    } catch {
      ok = false;
    }
    if (ok) return { result: 'verified' };
    problems.push(`the signature by ${sig.keyid} does not cover ${input.name}@${input.version}:${input.integrity}`);
  }
  return { result: 'invalid', detail: problems.join('; ') };
}
