// The dependency graph a lockfile describes: which installed node each declared dependency resolves
// to (Node's lookup: the nearest node_modules/<name> walking up from the dependent), who depends on
// whom with which declared range, and the chains from the project down to a package. audit prints
// the chains, fix reads the dependents' ranges, both from this one reading.
import type { LockedPackage, Lockfile } from '../lockfile.js';

export type EdgeType = 'prod' | 'dev' | 'optional' | 'peer';

export interface Edge {
  /** The dependent's install path ('' is the project). */
  from: string;
  name: string;
  /** The declared range (`^1.2.0`, `npm:x@1`, a URL…). */
  spec: string;
  type: EdgeType;
  /** The install path it resolves to; undefined when nothing in the tree satisfies the lookup. */
  to: string | undefined;
}

export interface DependencyTree {
  lock: Lockfile;
  /** Every entry by install path, the project's `''` included. */
  nodes: Map<string, LockedPackage>;
  edgesOut: Map<string, Edge[]>;
  edgesIn: Map<string, Edge[]>;
}

const EDGE_FIELDS: [keyof LockedPackage, EdgeType][] = [
  ['dependencies', 'prod'],
  ['optionalDependencies', 'optional'],
  ['peerDependencies', 'peer'],
];

export function buildTree(lock: Lockfile): DependencyTree {
  const nodes = new Map<string, LockedPackage>([['', lock.root], ...lock.packages.map((p) => [p.path, p] as const)]);
  const edgesOut = new Map<string, Edge[]>();
  const edgesIn = new Map<string, Edge[]>();
  for (const [path, node] of nodes) {
    if (node.link) continue;
    // devDependencies count only where npm installs them: the project and its workspaces
    const isProject = path === '' || !isInstalled(path);
    const fields: [keyof LockedPackage, EdgeType][] = isProject ? [...EDGE_FIELDS, ['devDependencies', 'dev']] : EDGE_FIELDS;
    const out: Edge[] = [];
    for (const [field, type] of fields) {
      const deps = node[field] as Record<string, string> | undefined;
      for (const [name, spec] of Object.entries(deps ?? {})) {
        if (type !== 'peer' && out.some((e) => e.name === name)) continue; // optional repeats dependencies
        const edge: Edge = { from: path, name, spec, type, to: resolveIn(nodes, path, name) };
        out.push(edge);
        if (edge.to !== undefined) edgesIn.set(edge.to, [...(edgesIn.get(edge.to) ?? []), edge]);
      }
    }
    edgesOut.set(path, out);
  }
  return { lock, nodes, edgesOut, edgesIn };
}

/** Whether an install path lies in a node_modules folder (a workspace or the project does not). */
export function isInstalled(path: string): boolean {
  return path.startsWith('node_modules/') || path.includes('/node_modules/');
}

/** Node's lookup: `<dir>/node_modules/<name>` from the dependent's folder up to the project; links followed. */
export function resolveIn(nodes: Map<string, LockedPackage>, from: string, name: string): string | undefined {
  let dir = from;
  for (;;) {
    if (!dir.endsWith('/node_modules') && dir !== 'node_modules') {
      const candidate = dir === '' ? `node_modules/${name}` : `${dir}/node_modules/${name}`;
      const found = nodes.get(candidate);
      if (found) return found.link && found.resolved !== undefined && nodes.has(found.resolved) ? found.resolved : candidate;
    }
    if (dir === '') return undefined;
    const slash = dir.lastIndexOf('/');
    dir = slash < 0 ? '' : dir.slice(0, slash);
  }
}

/**
 * Up to `limit` shortest chains of package names from the project to `target`
 * (`['my-app', 'parent', 'vuln']`): what a person follows to see why a package is there.
 */
export function chainsTo(tree: DependencyTree, target: string, limit = 3): string[][] {
  const distance = new Map<string, number>([['', 0]]);
  const queue = [''];
  while (queue.length > 0) {
    const at = queue.shift() as string;
    for (const edge of tree.edgesOut.get(at) ?? []) {
      if (edge.to === undefined || distance.has(edge.to)) continue;
      distance.set(edge.to, (distance.get(at) as number) + 1);
      queue.push(edge.to);
    }
  }
  const memo = new Map<string, string[][]>();
  const label = (path: string) => (path === '' ? (tree.lock.name ?? 'project') : (tree.nodes.get(path)?.name ?? path));
  const chains = (path: string): string[][] => {
    const known = memo.get(path);
    if (known) return known;
    const d = distance.get(path);
    let out: string[][] = [];
    if (d === 0) out = [[label('')]];
    else if (d !== undefined) {
      for (const edge of tree.edgesIn.get(path) ?? []) {
        if (distance.get(edge.from) !== d - 1) continue;
        for (const chain of chains(edge.from)) {
          if (out.length >= limit) break;
          out.push([...chain, label(path)]);
        }
      }
    }
    memo.set(path, out);
    return out;
  };
  return chains(target);
}
