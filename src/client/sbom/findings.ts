// Known vulnerabilities for an SBOM: from `gatehouse audit`'s findings (--vex), or from a findings
// file (`--vulnerabilities FILE`): a JSON array of
// {id, package, version, severity, fixedIn?, title?, url?, reachable?, reachability?}, the shape
// `gatehouse audit --reachability --json` findings map to. attacker-controlled only as far as the
// user's own file is; still checked field by field so a typo is named, not silently dropped.
import { readFileSync } from 'node:fs';
import { ClientError } from '../errors.js';
import type { VulnerabilityInput } from './document.js';
import type { Finding } from '../audit/index.js';

const SEVERITIES = new Set(['critical', 'high', 'moderate', 'medium', 'low', 'info', 'none', 'unknown']);

export function parseVulnerabilities(file: string): VulnerabilityInput[] {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ClientError(`Cannot read the findings in ${file}: ${(err as Error).message}`);
  }
  if (!Array.isArray(doc)) throw new ClientError(`${file}: the findings are a JSON array`);
  return doc.map((raw: Record<string, unknown>, i): VulnerabilityInput => {
    const where = `${file}: finding ${i + 1}`;
    for (const key of ['id', 'package', 'version'] as const)
      if (typeof raw?.[key] !== 'string' || raw[key] === '') throw new ClientError(`${where} needs a string "${key}"`);
    if (typeof raw.severity !== 'string' || !SEVERITIES.has(raw.severity))
      throw new ClientError(`${where}: "severity" is one of ${[...SEVERITIES].join(', ')}`);
    for (const key of ['fixedIn', 'title', 'url', 'reachability'] as const)
      if (raw[key] !== undefined && typeof raw[key] !== 'string') throw new ClientError(`${where}: "${key}" must be a string`);
    if (raw.reachable !== undefined && typeof raw.reachable !== 'boolean')
      throw new ClientError(`${where}: "reachable" must be true or false`);
    return raw as unknown as VulnerabilityInput;
  });
}

/**
 * `gatehouse audit` findings (with their reachability verdicts, when judged) as SBOM input: one
 * entry per advisory per installed version.
 */
export function fromAuditFindings(findings: readonly Finding[]): VulnerabilityInput[] {
  return findings.flatMap((f) =>
    f.advisories.map((a): VulnerabilityInput => {
      const fixedIn = a.fixedVersion ?? f.fixVersion;
      return {
        id: a.id,
        package: f.name,
        version: f.version,
        severity: a.severity,
        ...(fixedIn && { fixedIn }),
        ...(a.title && { title: a.title }),
        ...(a.url && { url: a.url }),
        ...(f.reachability && {
          reachable: f.reachability.verdict === 'reachable',
          reachability: f.reachability.reason,
        }),
      };
    }),
  );
}
