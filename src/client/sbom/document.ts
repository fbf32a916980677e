// What every SBOM format is given besides the tree: the trust verdicts and known vulnerabilities
// per component, the tool, and the time and serial number (fixed for a reproducible build).
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { TrustVerdict } from '../trust/index.js';
import type { SbomTree } from './tree.js';

/**
 * One known vulnerability of one installed version, as `gatehouse audit` finds it; `reachable`
 * is the reachability verdict (undefined: not analysed).
 */
export interface VulnerabilityInput {
  id: string;
  package: string;
  version: string;
  severity: 'critical' | 'high' | 'moderate' | 'medium' | 'low' | 'info' | 'none' | 'unknown';
  fixedIn?: string;
  title?: string;
  url?: string;
  reachable?: boolean;
  /** What the reachability analysis saw or assumed, in a sentence. */
  reachability?: string;
}

export interface SbomInput {
  tree: SbomTree;
  /** Keyed `name@version`, from verifyTrust; absent: not checked (offline). */
  trust?: Map<string, TrustVerdict>;
  vulnerabilities?: readonly VulnerabilityInput[];
  /** Fixes timestamp and serial number (SOURCE_DATE_EPOCH or --reproducible). */
  reproducible?: { epochSeconds: number };
}

export const TOOL = { name: 'gatehouse', version: toolVersion() };

function toolVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** ISO 8601 without milliseconds (SPDX's `created` is `YYYY-MM-DDThh:mm:ssZ`). */
export function timestampOf(input: SbomInput, now = Date.now()): string {
  const ms = input.reproducible ? input.reproducible.epochSeconds * 1000 : now;
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A random UUID, or for a reproducible build one derived from what the document says. */
export function uuidOf(input: SbomInput, format: string): string {
  if (!input.reproducible) return randomUUID();
  const digest = createHash('sha256')
    .update(format)
    .update(JSON.stringify(input.tree.components.map((c) => [c.purl, c.integrity ?? '', [...c.dependsOn.keys()]])))
    .update(JSON.stringify(input.tree.root.purl ?? input.tree.root.name))
    .digest('hex');
  // RFC 9562 UUIDv8 layout (custom data): version nibble 8, variant bits 10.
  const variant = ((parseInt(digest[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${digest.slice(0, 8)}-${digest.slice(8, 12)}-8${digest.slice(13, 16)}-${variant}${digest.slice(17, 20)}-${digest.slice(20, 32)}`;
}

/** The verdict line both formats carry for a component. */
export function trustSummary(verdict: TrustVerdict | undefined): {
  signature: string;
  provenance: string;
  sourceRepository?: string;
} {
  if (!verdict) return { signature: 'not-checked', provenance: 'not-checked' };
  return {
    signature: verdict.signature,
    provenance: verdict.provenance,
    ...(verdict.sourceRepository && { sourceRepository: verdict.sourceRepository }),
  };
}
