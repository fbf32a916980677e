// Build provenance checked on the client: the SLSA statement's Sigstore bundle from the registry's
// attestations endpoint must chain to the trust root (Sigstore's public-good one unless told
// otherwise), be in a trusted transparency log, and name this package version and the pinned
// sha512. The bundle verification is the domain's own (src/domain/provenance/verify.ts), so the
// client and the registry's publish check accept exactly the same bundles.
// attacker-controlled: the attestations document comes from the registry.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isGatehouseError } from '../../domain/errors.js';
import { ProvenanceVerifier } from '../../domain/provenance/verify.js';
import { SLSA_PROVENANCE_V1 } from '../../domain/provenance/statement.js';
import { ClientError } from '../errors.js';
import type { CheckResult } from './signatures.js';

/** The same file the registry defaults to, as the `@sigstore/tuf` package seeds it. */
const PUBLIC_GOOD_TRUSTED_ROOT = fileURLToPath(new URL('../../../data/sigstore-public-good-trusted-root.json', import.meta.url));

export interface ProvenanceCheck {
  result: CheckResult;
  sourceRepository?: string;
  detail?: string;
}

/** A trusted_root.json file (GATEHOUSE_SIGSTORE_TRUSTED_ROOT), or the public-good root. */
export function loadVerifier(trustedRoot: string | object | undefined): ProvenanceVerifier {
  if (typeof trustedRoot === 'object') return new ProvenanceVerifier(trustedRoot);
  const path = trustedRoot || PUBLIC_GOOD_TRUSTED_ROOT;
  let root: unknown;
  try {
    root = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ClientError(`Cannot read the Sigstore trust root ${path}: ${(err as Error).message}`);
  }
  try {
    return new ProvenanceVerifier(root);
  } catch (err) {
    throw new ClientError(`${path} is not a Sigstore trusted root: ${(err as Error).message}`);
  }
}

/** `sha512-<base64>` → hex; undefined for any other algorithm (a provenance subject names sha512). */
export function sha512Hex(integrity: string): string | undefined {
  const match = /(?:^|\s)sha512-([A-Za-z0-9+/=]+)/.exec(integrity);
  return match ? Buffer.from(match[1]!, 'base64').toString('hex') : undefined;
}

export function checkProvenance(
  verifier: ProvenanceVerifier,
  item: { name: string; version: string; integrity: string },
  attestations: unknown,
  /** The packument's `dist.attestations.provenance` names SLSA provenance. */
  claimsProvenance: boolean,
): ProvenanceCheck {
  const list = (attestations as { attestations?: unknown } | undefined)?.attestations;
  const entry = Array.isArray(list)
    ? (list as { predicateType?: unknown; bundle?: unknown }[]).find((a) => a?.predicateType === SLSA_PROVENANCE_V1)
    : undefined;
  if (!entry)
    return claimsProvenance
      ? { result: 'invalid', detail: 'the registry says this version has build provenance but serves none' }
      : { result: 'absent' }; // a registry publish attestation alone: no build provenance
  const hex = sha512Hex(item.integrity);
  if (!hex) return { result: 'invalid', detail: `the pinned integrity is not sha512, so the provenance cannot be matched to it` };
  try {
    const verified = verifier.verify(JSON.stringify(entry.bundle), { name: item.name, version: item.version, sha512Hex: hex });
    const repo = verified.build.sourceRepository ?? predicateRepository(entry.bundle);
    return { result: 'verified', ...(repo && { sourceRepository: repo }) };
  } catch (err) {
    if (!isGatehouseError(err)) throw err;
    return { result: 'invalid', detail: err.message };
  }
}

/** The repository a SLSA v1 GitHub predicate names, for a certificate without Fulcio's OID. */
function predicateRepository(bundle: unknown): string | undefined {
  try {
    const payload = (bundle as { dsseEnvelope?: { payload?: string } }).dsseEnvelope?.payload;
    if (!payload) return undefined;
    const statement = JSON.parse(Buffer.from(payload, 'base64').toString('utf8')) as {
      predicate?: { buildDefinition?: { externalParameters?: { workflow?: { repository?: unknown } } } };
    };
    const repo = statement.predicate?.buildDefinition?.externalParameters?.workflow?.repository;
    return typeof repo === 'string' ? repo : undefined;
  } catch {
    return undefined;
  }
}
