// `gatehouse sbom`: the lockfile's tree as CycloneDX 1.6 or SPDX 2.3 JSON, with each component's
// registry-signature and provenance verdicts (checked against the registry unless --offline) and,
// from a findings file, its known vulnerabilities with their reachability verdict.
import { renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { defineCommand } from '../command.js';
import { ClientError } from '../errors.js';
import { readLockfile } from '../lockfile.js';
import { RegistryClient } from '../registry-client.js';
import { verifyTrust } from '../trust/index.js';
import { buildTree, type Omit } from './tree.js';
import { toCycloneDx } from './cyclonedx.js';
import { toSpdx } from './spdx.js';
import { fromAuditFindings, parseVulnerabilities } from './findings.js';
import type { SbomInput } from './document.js';

const OMIT: readonly Omit[] = ['dev', 'optional', 'peer'];

export const command = defineCommand({
  usage: `Usage: gatehouse sbom --format cyclonedx|spdx [--output FILE] [--omit dev|optional|peer]...
                      [--lockfile package-lock.json] [--registry URL] [--token TOKEN] [--offline]
                      [--trusted-root trusted_root.json] [--reproducible]
                      [--vex [--osv PATH] [--reachability [ENTRY-FILE…]] | --vulnerabilities findings.json]
--vex           adds the known vulnerabilities gatehouse audit finds (the registry's advisories, or OSV
                records with --osv) as CycloneDX VEX / SPDX advisory references; with --reachability
                each gets the verdict of gatehouse audit --reachability (not_affected when not imported).`,
  flags: {
    format: { type: 'string' },
    output: { type: 'string', short: 'o' },
    omit: { type: 'string', multiple: true },
    lockfile: { type: 'string' },
    registry: { type: 'string' },
    token: { type: 'string' },
    offline: { type: 'boolean' },
    'trusted-root': { type: 'string' },
    vulnerabilities: { type: 'string' },
    reproducible: { type: 'boolean' },
    vex: { type: 'boolean' },
    osv: { type: 'string' },
    reachability: { type: 'boolean' },
  },
  async run(values, positionals) {
    const format = values.format;
    if (format !== 'cyclonedx' && format !== 'spdx')
      throw new ClientError('Choose the format: gatehouse sbom --format cyclonedx|spdx');
    const omit = (values.omit ?? []).flatMap((o) => o.split(','));
    const unknown = omit.find((o) => !(OMIT as readonly string[]).includes(o));
    if (unknown !== undefined) throw new ClientError(`--omit takes dev, optional or peer, not ${JSON.stringify(unknown)}`);
    const lockPath = resolve(values.lockfile ?? 'package-lock.json');
    const lock = readLockfile(dirname(lockPath), lockPath.slice(dirname(lockPath).length + 1));
    if (!lock) throw new ClientError(`No lockfile at ${lockPath}: run npm install (or gatehouse install) first.`);
    const tree = buildTree(lock, { projectDir: dirname(lockPath), omit: omit as Omit[] });
    const input: SbomInput = { tree, ...reproducibility(values.reproducible === true) };
    if (values.vulnerabilities !== undefined) input.vulnerabilities = parseVulnerabilities(values.vulnerabilities);
    if ((values.osv !== undefined || values.reachability) && !values.vex)
      throw new ClientError('--osv and --reachability choose where --vex gets its findings: add --vex.');
    if (positionals.length > 0 && !values.reachability)
      throw new ClientError(`Entry files (${positionals.join(' ')}) are read only with --vex --reachability.`);
    if (values.vex) {
      if (values.vulnerabilities !== undefined) throw new ClientError('Give --vex or --vulnerabilities FILE, not both.');
      if (values.offline && values.osv === undefined)
        throw new ClientError('--offline --vex needs --osv PATH: without a registry the advisories come from files.');
      input.vulnerabilities = await auditedVulnerabilities(dirname(lockPath), values, omit as Omit[], positionals);
    }
    if (!values.offline) {
      const client = RegistryClient.fromSettings(
        { ...(values.registry && { registry: values.registry }), ...(values.token && { token: values.token }) },
        { onRetry: (m) => process.stderr.write(`${m}\n`) },
        dirname(lockPath),
      );
      const items = tree.components.flatMap((c) =>
        c.integrity ? [{ name: c.name, version: c.version, integrity: c.integrity }] : [],
      );
      input.trust = await verifyTrust(client, items, {
        trustedRoot: values['trusted-root'] ?? process.env.GATEHOUSE_SIGSTORE_TRUSTED_ROOT,
      });
    }
    const doc = format === 'cyclonedx' ? toCycloneDx(input) : toSpdx(input);
    const text = `${JSON.stringify(doc, null, 2)}\n`;
    if (values.output === undefined) process.stdout.write(text);
    else writeWhole(resolve(values.output), text);
    return 0;
  },
});

/** `gatehouse audit` (and its reachability walk) over the same lockfile, loaded only for --vex. */
async function auditedVulnerabilities(
  dir: string,
  values: { osv?: string; offline?: boolean; registry?: string; token?: string; reachability?: boolean },
  omit: Omit[],
  entries: string[],
) {
  const { auditLockfile } = await import('../audit/lockfile-audit.js');
  const audit = await auditLockfile({
    dir,
    osv: values.osv === undefined ? undefined : resolve(values.osv),
    offline: values.offline,
    omit,
    registry: values.registry,
    token: values.token,
    onRetry: (m) => process.stderr.write(`${m}\n`),
  });
  for (const problem of audit.source.problems) process.stderr.write(`skipped ${problem}\n`);
  if (values.reachability) (await import('../reachability/index.js')).judgeReachability(dir, audit.findings, entries);
  return fromAuditFindings(audit.findings);
}

/** --reproducible or SOURCE_DATE_EPOCH (reproducible-builds.org) fixes the timestamp and serial number. */
function reproducibility(flag: boolean): Pick<SbomInput, 'reproducible'> {
  const epoch = process.env.SOURCE_DATE_EPOCH;
  if (epoch !== undefined && epoch !== '') {
    if (!/^\d+$/.test(epoch)) throw new ClientError(`SOURCE_DATE_EPOCH must be whole seconds since 1970, not ${epoch}`);
    return { reproducible: { epochSeconds: Number(epoch) } };
  }
  return flag ? { reproducible: { epochSeconds: 0 } } : {};
}

/** Written beside the target and renamed over it, so a failed run leaves no half-written SBOM. */
function writeWhole(path: string, text: string): void {
  const temp = join(dirname(path), `.${process.pid}.sbom.tmp`);
  try {
    writeFileSync(temp, text);
    renameSync(temp, path);
  } catch (err) {
    throw new ClientError(`Cannot write ${path}: ${(err as Error).message}`);
  }
}
