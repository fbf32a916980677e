// The audit of a project's lockfile: every installed entry (links, the project and its workspaces
// left out; --omit=dev drops what npm marks dev), asked of the advisory source, each finding with its
// chains through the tree. `gatehouse audit` prints it and `gatehouse fix` starts from it.
import { ClientError } from '../errors.js';
import { readLockfile } from '../lockfile.js';
import { RegistryClient } from '../registry-client.js';
import { auditPackages, servedVersions, type Finding, type InstalledPackage } from './index.js';
import { osvSource, registrySource, type AdvisorySource } from './sources.js';
import { buildTree, chainsTo, isInstalled, type DependencyTree } from './tree.js';

export type Omit = 'dev' | 'optional' | 'peer';

export interface LockfileAuditOptions {
  dir: string;
  /** OSV records to read instead of asking the registry. */
  osv?: string | undefined;
  /** No network at all (with --osv): fixed versions come from the records. */
  offline?: boolean | undefined;
  omit?: Omit[];
  registry?: string | undefined;
  token?: string | undefined;
  onRetry?: (message: string) => void;
}

export interface LockfileAudit {
  tree: DependencyTree;
  /** How many installed entries were audited. */
  audited: number;
  source: AdvisorySource;
  client: RegistryClient;
  findings: Finding[];
}

export function parseOmit(values: string[] | undefined): Omit[] {
  const out: Omit[] = [];
  for (const v of (values ?? []).flatMap((x) => x.split(','))) {
    if (v !== 'dev' && v !== 'optional' && v !== 'peer') throw new ClientError(`--omit takes dev, optional or peer, not "${v}".`);
    out.push(v);
  }
  return out;
}

export async function auditLockfile(opts: LockfileAuditOptions): Promise<LockfileAudit> {
  const lock = readLockfile(opts.dir);
  if (!lock) throw new ClientError(`No package-lock.json in ${opts.dir}: run npm install (or gatehouse install) first.`);
  const tree = buildTree(lock);
  const omit = new Set(opts.omit ?? []);
  const installed: InstalledPackage[] = lock.packages
    .filter((p) => isInstalled(p.path) && !p.link && p.version !== '')
    .filter((p) => !(omit.has('dev') && p.dev) && !(omit.has('optional') && p.optional) && !(omit.has('peer') && p.peer))
    .map((p) => ({ name: p.name, version: p.version, path: p.path, dev: p.dev === true }));
  const client = RegistryClient.fromSettings(
    { registry: opts.registry, token: opts.token },
    { onRetry: opts.onRetry ?? (() => {}) },
    opts.dir,
  );
  const source = opts.osv ? await osvSource(opts.osv) : registrySource(client);
  const findings = await auditPackages(installed, {
    source,
    versionsOf: opts.offline ? undefined : servedVersions(client),
  });
  for (const f of findings) {
    const chains = f.paths.flatMap((p) => chainsTo(tree, p));
    f.chains = chains.slice(0, 3);
  }
  return { tree, audited: installed.length, source, client, findings };
}
