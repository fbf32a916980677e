// What a lockfile asks to be on disk, decided as npm's reify does: every `packages` key under a
// node_modules folder is an install path; `--omit` drops dev/optional/peer nodes by their lockfile
// flags (Node#shouldOmit); an optional node that cannot run here (os, cpu, libc, engines.node) is
// dropped with every node only it needs (arborist's optionalSet), while a required one is an error.
// Dependency edges are resolved the way Node resolves them: the nearest node_modules up the tree.
import semver from 'semver';
import { ClientError } from '../errors.js';
import type { LockedPackage, Lockfile } from '../lockfile.js';

export type OmitType = 'dev' | 'optional' | 'peer';

export interface Platform {
  os: string;
  cpu: string;
  libc: string | undefined;
  node: string;
}

export interface Edge {
  from: string;
  to: string;
  optional: boolean;
}

export interface Plan {
  /** Installed entries, in the lockfile's order. */
  install: LockedPackage[];
  /** Optional entries left out because they cannot run on this platform. */
  skipped: { pkg: LockedPackage; reason: string }[];
  omitted: number;
  /** Every lockfile node by path, the root under "". */
  nodes: Map<string, LockedPackage>;
  edges: Edge[];
}

export function currentPlatform(): Platform {
  let libc: string | undefined;
  if (process.platform === 'linux') {
    const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
    libc = header?.glibcVersionRuntime ? 'glibc' : 'musl';
  }
  return { os: process.platform, cpu: process.arch, libc, node: process.version };
}

export function isInstallPath(path: string): boolean {
  return path.startsWith('node_modules/') || path.includes('/node_modules/');
}

/** The folder an install path resolves its dependencies from next (npm's tree parent). */
function parentOf(path: string): string {
  const i = path.lastIndexOf('/node_modules/');
  if (i >= 0) return path.slice(0, i);
  return '';
}

export function resolveEdge(nodes: Map<string, LockedPackage>, from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = `${base === '' ? '' : `${base}/`}node_modules/${name}`;
    if (nodes.has(candidate)) return candidate;
    if (base === '') return undefined;
    base = parentOf(base);
  }
}

/** A link's target folder as a lockfile key: `resolved` is relative to the project. */
export function linkTarget(pkg: LockedPackage): string | undefined {
  return pkg.link && pkg.resolved ? pkg.resolved.replace(/^file:/, '').replace(/\/$/, '') : undefined;
}

function edgesOf(nodes: Map<string, LockedPackage>): Edge[] {
  const edges: Edge[] = [];
  for (const [path, pkg] of nodes) {
    if (pkg.link) continue;
    const add = (deps: Record<string, string> | undefined, optional: (name: string) => boolean) => {
      for (const name of Object.keys(deps ?? {})) {
        const to = resolveEdge(nodes, path, name);
        if (to !== undefined) edges.push({ from: path, to, optional: optional(name) });
      }
    };
    add(pkg.dependencies, () => false);
    add(pkg.optionalDependencies, () => true);
    add(pkg.peerDependencies, (name) => pkg.peerDependenciesMeta?.[name]?.optional === true);
    if (path === '') add(pkg.devDependencies, () => false);
  }
  // A link stands for its target: the target's dependencies are the link's.
  for (const [path, pkg] of nodes) {
    const target = linkTarget(pkg);
    if (target === undefined) continue;
    for (const edge of edges.filter((e) => e.from === target)) edges.push({ ...edge, from: path });
  }
  return edges;
}

export function checkPlatform(pkg: LockedPackage, platform: Platform): string | undefined {
  const fails = (value: string | undefined, list: string[] | undefined) => list !== undefined && !matchesList(value, list);
  if (fails(platform.os, pkg.os)) return `os ${JSON.stringify(pkg.os)}, this is ${platform.os}`;
  if (fails(platform.cpu, pkg.cpu)) return `cpu ${JSON.stringify(pkg.cpu)}, this is ${platform.cpu}`;
  if (pkg.libc !== undefined && (platform.libc === undefined || fails(platform.libc, pkg.libc)))
    return `libc ${JSON.stringify(pkg.libc)}, this is ${platform.libc ?? 'not Linux'}`;
  return undefined;
}

function checkEngine(pkg: LockedPackage, platform: Platform): string | undefined {
  const range = pkg.engines?.node;
  if (range === undefined || semver.satisfies(platform.node, range, { includePrerelease: true })) return undefined;
  return `engines.node ${JSON.stringify(range)}, this is ${platform.node}`;
}

/** npm-install-checks: no negated value may match, and one plain value must (unless all are negated). */
function matchesList(value: string | undefined, list: string[]): boolean {
  if (list.length === 1 && list[0] === 'any') return true;
  let negated = 0;
  let match = false;
  for (const entry of list) {
    if (entry.startsWith('!')) {
      negated++;
      if (value === entry.slice(1)) return false;
    } else if (value === entry) match = true;
  }
  return match || negated === list.length;
}

function shouldOmit(pkg: LockedPackage, omit: ReadonlySet<OmitType>): boolean {
  return (
    (pkg.peer === true && omit.has('peer')) ||
    (pkg.dev === true && omit.has('dev')) ||
    (pkg.optional === true && omit.has('optional')) ||
    (pkg.devOptional === true && omit.has('optional') && omit.has('dev'))
  );
}

/** arborist's optionalSet: the failed node, what needs it non-optionally, and what only they need. */
export function optionalSet(start: string, edges: Edge[], inert: ReadonlySet<string>): Set<string> {
  const set = new Set([start]);
  for (const node of set) for (const edge of edges) if (edge.to === node && !edge.optional) set.add(edge.from);
  const keep = (edge: Edge) => !set.has(edge.to) && !inert.has(edge.from);
  const deps = new Set(set);
  for (const node of deps) for (const edge of edges) if (edge.from === node && keep(edge)) deps.add(edge.to);
  for (let changed = true; changed; ) {
    changed = false;
    for (const dep of deps) {
      if (edges.some((edge) => edge.to === dep && !deps.has(edge.from) && keep(edge))) {
        deps.delete(dep);
        changed = true;
      }
    }
  }
  return deps;
}

export function planInstall(lock: Lockfile, omit: ReadonlySet<OmitType>, platform: Platform = currentPlatform()): Plan {
  const nodes = new Map<string, LockedPackage>([['', lock.root], ...lock.packages.map((p) => [p.path, p] as const)]);
  const edges = edgesOf(nodes);
  const inert = new Set<string>();
  const reasons = new Map<string, string>();
  let omitted = 0;
  for (const pkg of lock.packages) {
    if (!isInstallPath(pkg.path) || shouldOmit(pkg, omit) || pkg.link) continue;
    const reason = checkPlatform(pkg, platform) ?? (pkg.optional ? checkEngine(pkg, platform) : undefined);
    if (reason === undefined) continue;
    if (!pkg.optional) {
      throw new ClientError(
        `${pkg.name}@${pkg.version} (${pkg.path}) does not run on this platform: it needs ${reason}. ` +
          'It is not an optional dependency, so the install stopped.',
      );
    }
    if (inert.has(pkg.path)) continue;
    reasons.set(pkg.path, reason);
    for (const path of optionalSet(pkg.path, edges, inert)) inert.add(path);
  }
  const install: LockedPackage[] = [];
  const skipped: Plan['skipped'] = [];
  for (const pkg of lock.packages) {
    if (!isInstallPath(pkg.path)) continue;
    if (shouldOmit(pkg, omit)) omitted++;
    else if (inert.has(pkg.path))
      skipped.push({ pkg, reason: reasons.get(pkg.path) ?? 'only needed by a skipped optional package' });
    else install.push(pkg);
  }
  return { install, skipped, omitted, nodes, edges };
}
