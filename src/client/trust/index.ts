// Is each pinned package version signed by its registry, and was it built where its provenance
// says? `verifyTrust` answers for a list of versions (what `gatehouse install` is about to lay
// out, or what an SBOM lists), against Gatehouse or any npm registry: a registry without signing
// keys or attestations gets 'absent', never a failure, and the caller decides what is required.
// Spelled through client/: the lint rule against the server's src/registry.ts matches `../registry.js`.
import type { RegistryClient } from '../registry-client.js';
import { checkProvenance, loadVerifier, type ProvenanceCheck } from './provenance.js';
import { checkSignature, parseKeys, type CheckResult, type RegistryKey } from './signatures.js';
import type { ProvenanceVerifier } from '../../domain/provenance/verify.js';
import { SLSA_PROVENANCE_V1 } from '../../domain/provenance/statement.js';

export type { CheckResult } from './signatures.js';

export interface TrustItem {
  name: string;
  version: string;
  integrity: string;
}

export interface TrustVerdict {
  signature: CheckResult;
  provenance: CheckResult;
  /** The source repository the verified provenance names, e.g. https://github.com/acme/widget. */
  sourceRepository?: string;
  /** Why a check was absent or invalid, for the person at the terminal. */
  detail?: string;
}

export interface TrustOptions {
  /** A Sigstore trusted_root.json (path or parsed); default: Sigstore's public-good root. */
  trustedRoot?: string | object | undefined;
  /** Packuments fetched at once. */
  concurrency?: number;
}

/** The key of the answer map: `name@version`. */
export const trustKey = (item: { name: string; version: string }) => `${item.name}@${item.version}`;

export async function verifyTrust(
  client: RegistryClient,
  items: readonly TrustItem[],
  options: TrustOptions = {},
): Promise<Map<string, TrustVerdict>> {
  const keys = parseKeysOrNone(await client.json('-/npm/v1/keys'));
  let verifier: ProvenanceVerifier | undefined;
  const packuments = new Map<string, Promise<Record<string, unknown> | undefined>>();
  const packument = (name: string) => {
    let doc = packuments.get(name);
    if (!doc) packuments.set(name, (doc = client.packument(name, { full: true })));
    return doc;
  };
  const out = new Map<string, TrustVerdict>();
  await eachLimited(items, options.concurrency ?? 8, async (item) => {
    const doc = await packument(item.name);
    const manifest = (doc?.versions as Record<string, { dist?: Record<string, unknown> }> | undefined)?.[item.version];
    if (!manifest) {
      out.set(trustKey(item), {
        signature: 'absent',
        provenance: 'absent',
        detail: `the registry does not serve ${trustKey(item)}`,
      });
      return;
    }
    const dist = manifest.dist ?? {};
    const details: string[] = [];
    let signature: CheckResult = 'absent';
    if (keys === undefined) details.push('the registry publishes no signing keys (/-/npm/v1/keys)');
    else {
      const time = (doc?.time as Record<string, unknown> | undefined)?.[item.version];
      const checked = checkSignature(keys, {
        ...item,
        signatures: dist.signatures,
        publishedAt: typeof time === 'string' ? time : undefined,
      });
      signature = checked.result;
      if (checked.detail) details.push(checked.detail);
    }
    let provenance: ProvenanceCheck = { result: 'absent' };
    const link = dist.attestations as { url?: unknown; provenance?: { predicateType?: unknown } } | undefined;
    if (typeof link?.url === 'string') {
      verifier ??= loadVerifier(options.trustedRoot);
      const claimed = link.provenance?.predicateType === SLSA_PROVENANCE_V1;
      provenance = checkProvenance(verifier, item, await attestations(client, link.url), claimed);
      if (provenance.detail) details.push(provenance.detail);
    }
    out.set(trustKey(item), {
      signature,
      provenance: provenance.result,
      ...(provenance.sourceRepository && { sourceRepository: provenance.sourceRepository }),
      ...(details.length > 0 && { detail: details.join('; ') }),
    });
  });
  return out;
}

/** undefined: the registry has no keys endpoint (or lists none), so nothing can be checked. */
function parseKeysOrNone(doc: unknown): RegistryKey[] | undefined {
  const keys = parseKeys(doc);
  return keys.length > 0 ? keys : undefined;
}

/**
 * pacote keeps only the pathname of `dist.attestations.url` and asks the configured registry, so
 * a packument cannot send the client (and its token) to another host.
 */
async function attestations(client: RegistryClient, url: string): Promise<unknown> {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return undefined;
  }
  const res = await client.request(new URL(path, client.registry), { headers: { accept: 'application/json' } });
  if (!res.ok) {
    await res.body?.cancel();
    return undefined;
  }
  return res.json().catch(() => undefined);
}

async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** The versions a policy refuses: `--require-signatures` / `--require-provenance`. */
export function trustFailures(
  verdicts: Map<string, TrustVerdict>,
  require: { signatures?: boolean; provenance?: boolean },
): string[] {
  const failures: string[] = [];
  for (const [spec, v] of verdicts) {
    const sig = v.signature === 'invalid' || (require.signatures && v.signature !== 'verified');
    const prov = v.provenance === 'invalid' || (require.provenance && v.provenance !== 'verified');
    if (sig || prov) {
      const what = [sig && `signature ${v.signature}`, prov && `provenance ${v.provenance}`].filter(Boolean).join(', ');
      failures.push(`${spec}: ${what}${v.detail ? ` (${v.detail})` : ''}`);
    }
  }
  return failures;
}
