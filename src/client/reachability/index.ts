// `gatehouse audit --reachability`: the files the application can load, followed from its entry
// points (package.json `main`, every target of `exports`, `bin`, and files named on the command
// line) through its own code and its installed dependencies, and for each vulnerable package
// whether any of its files is among them. An OSV record naming affected modules narrows the
// question to those files; named functions are not traced (a module that is loaded is assumed to
// have them called). Everything the walk could not follow is listed as an assumption.
import { readFileSync } from 'node:fs';
import { extname, join, relative, resolve as resolvePath, sep } from 'node:path';
import { ClientError } from '../errors.js';
import type { Finding, Reachability } from '../audit/index.js';
import { scanSource, UnparseableModule } from './parse.js';
import { CONDITIONS, exportTargets, Resolver } from './resolve.js';

export interface ImportGraph {
  /** Entry files, relative to the project. */
  entries: string[];
  /** Every file reached (absolute), with the file that first loaded it (undefined for an entry). */
  parents: Map<string, string | undefined>;
  assumptions: string[];
}

/** How many of each kind of note are listed before "and N more". */
const LIST_LIMIT = 20;

/** The entry points: main, every exports target, bin, and `extra` (relative to the project). */
export function entryPoints(project: string, extra: string[], resolver = new Resolver()): { files: string[]; notes: string[] } {
  const pkg = resolver.manifest(project) ?? {};
  const named: { from: string; path: string }[] = [];
  if (typeof pkg.main === 'string') named.push({ from: 'main', path: pkg.main });
  for (const target of exportTargets(pkg.exports)) {
    if (target.includes('*')) continue; // a pattern names many files; the notes say so below
    named.push({ from: 'exports', path: target });
  }
  if (typeof pkg.bin === 'string') named.push({ from: 'bin', path: pkg.bin });
  else if (pkg.bin && typeof pkg.bin === 'object')
    for (const path of Object.values(pkg.bin)) if (typeof path === 'string') named.push({ from: 'bin', path });
  for (const path of extra) named.push({ from: 'command line', path });
  const notes: string[] = [];
  if (exportTargets(pkg.exports).some((t) => t.includes('*')))
    notes.push('exports patterns (with *) are not expanded into entry points: name those files on the command line');
  if (named.length === 0) {
    if (resolver.kind(join(project, 'index.js')) === 'file') {
      named.push({ from: 'default', path: 'index.js' });
      notes.push('package.json names no main, exports or bin: index.js taken as the entry point');
    } else
      throw new ClientError(
        'No entry points: package.json has no main, exports or bin. Name the application files: gatehouse audit --reachability FILE…',
      );
  }
  const files = new Set<string>();
  for (const { from, path } of named) {
    const found = resolver.asPath(resolvePath(project, path), path);
    if ('file' in found) files.add(found.file);
    else if (from === 'command line') throw new ClientError(`Entry point ${path} does not exist.`);
    else notes.push(`${from} names ${path}, which does not exist`);
  }
  return { files: [...files], notes };
}

/** Follows every literal import from the entry files. */
export function importGraph(project: string, extra: string[]): ImportGraph {
  const resolver = new Resolver();
  const root = resolver.real(resolvePath(project));
  const { files: entries, notes } = entryPoints(root, extra, resolver);
  const parents = new Map<string, string | undefined>(entries.map((f) => [f, undefined]));
  const computed: string[] = [];
  const unparseable: string[] = [];
  const unresolved: string[] = [];
  const queue = [...entries];
  const rel = (file: string) => relative(root, file).split(sep).join('/');
  while (queue.length > 0) {
    const file = queue.shift() as string;
    const ext = extname(file);
    if (ext === '.json' || ext === '.node') continue; // data and native addons import nothing
    let scanned;
    try {
      scanned = scanSource(readFileSync(file, 'utf8'), ext);
    } catch (err) {
      if (!(err instanceof UnparseableModule)) throw err;
      unparseable.push(`${rel(file)} (${err.message})`);
      continue;
    }
    for (const c of scanned.computed)
      computed.push(`${rel(file)}:${c.line} ${c.kind === 'require' ? 'require(…)' : 'import(…)'}`);
    for (const s of scanned.specifiers) {
      const found = resolver.resolve(s.specifier, file, s.kind);
      if ('missing' in found) unresolved.push(`${rel(file)}:${s.line} '${s.specifier}'`);
      if (!('file' in found) || parents.has(found.file)) continue;
      parents.set(found.file, file);
      queue.push(found.file);
    }
  }
  const assumptions = [
    ...notes,
    `conditions: import, export-from and import() resolved with ${CONDITIONS.import.join(', ')}; require() with ${CONDITIONS.require.join(', ')}`,
    'relative imports are probed with CommonJS extensions and index files for ES modules too (bundler-style code is followed)',
    ...listed('computed require()/import() not followed (a package loaded only that way is reported not reachable)', computed),
    ...listed('files that could not be parsed (their imports are not followed)', unparseable),
    ...listed('imports that resolve to no installed file', unresolved),
  ];
  return { entries: entries.map(rel), parents, assumptions };
}

function listed(what: string, items: string[]): string[] {
  if (items.length === 0) return [];
  const shown = items.slice(0, LIST_LIMIT).join('; ');
  return [`${what}: ${shown}${items.length > LIST_LIMIT ? `; and ${items.length - LIST_LIMIT} more` : ''}`];
}

/** The files that load `file`, from its entry point down, relative to the project. */
function chainOf(graph: ImportGraph, root: string, file: string): string[] {
  const chain: string[] = [];
  for (let at: string | undefined = file; at !== undefined; at = graph.parents.get(at)) {
    chain.unshift(relative(root, at).split(sep).join('/'));
    if (chain.length > 1000) break;
  }
  return chain;
}

/** Whether `file` belongs to the package in `packageDir` (a real path), not to one nested inside it. */
function inPackage(file: string, packageDir: string): boolean {
  const base = packageDir + sep;
  return file.startsWith(base) && !file.slice(base.length).split(sep).includes('node_modules');
}

/**
 * A verdict for each finding. `project` must have its dependencies installed: the walk reads the
 * files in node_modules.
 */
export function judgeReachability(project: string, findings: Finding[], extra: string[]): ImportGraph {
  const resolver = new Resolver();
  const root = resolver.real(resolvePath(project));
  if (findings.some((f) => f.paths.some((p) => resolver.kind(join(root, p)) !== 'dir')))
    throw new ClientError('--reachability reads the installed packages: install first (gatehouse install or npm ci).');
  const graph = importGraph(root, extra);
  const reached = [...graph.parents.keys()];
  for (const finding of findings) finding.reachability = verdictFor(root, graph, reached, finding, resolver);
  return graph;
}

function verdictFor(root: string, graph: ImportGraph, reached: string[], finding: Finding, resolver: Resolver): Reachability {
  const scopes = finding.advisories.map((a) => a.scope);
  // the package as a whole matters when any advisory names no modules
  const whole = scopes.some((s) => s === undefined || s.modules.length === 0);
  const functions = [...new Set(scopes.flatMap((s) => s?.functions ?? []))];
  const targets = new Set<string>();
  const unmatched: string[] = [];
  if (!whole) {
    for (const module of new Set(scopes.flatMap((s) => s?.modules ?? []))) {
      const files = finding.paths.flatMap((p) => moduleFiles(resolver, join(root, p), finding.name, module));
      if (files.length === 0) unmatched.push(module);
      for (const f of files) targets.add(f);
    }
  }
  const narrowed = !whole && unmatched.length === 0;
  // real paths on both sides: node_modules (or a package in it) may be a symlink, and files are real
  const dirs = finding.paths.map((p) => resolver.real(join(root, p)));
  const hit = reached.find((file) => (narrowed ? targets.has(file) : dirs.some((dir) => inPackage(file, dir))));
  const modules = narrowed ? [...new Set(scopes.flatMap((s) => s?.modules ?? []))] : [];
  const fnNote = functions.length > 0 ? `; functions ${functions.join(', ')} are assumed called (calls are not traced)` : '';
  const missNote =
    unmatched.length > 0 ? ` (the advisory's modules ${unmatched.join(', ')} match no file, so the whole package counts)` : '';
  if (hit === undefined)
    return {
      verdict: 'not-reachable',
      reason: narrowed
        ? `none of the affected modules (${modules.join(', ')}) is imported from the entry points`
        : `no file of ${finding.name} is imported from the entry points${missNote}`,
    };
  return {
    verdict: 'reachable',
    chain: chainOf(graph, root, hit),
    reason: narrowed
      ? `the affected module ${relative(root, hit).split(sep).join('/')} is imported${fnNote}`
      : `${finding.name} is imported${missNote}${fnNote}`,
  };
}

/**
 * The files an advisory's module path names inside one installed copy: `name/lib/x.js` (or without
 * the package name) as a file in the package, or as an export subpath through its exports map.
 */
function moduleFiles(resolver: Resolver, packageDir: string, name: string, module: string): string[] {
  const subpath =
    module === name ? '' : module.startsWith(`${name}/`) ? module.slice(name.length + 1) : module.replace(/^\.?\//, '');
  const out = new Set<string>();
  for (const require of [false, true]) {
    const viaExports = resolver.inPackage(packageDir, name, subpath, module, require);
    if ('file' in viaExports) out.add(viaExports.file);
  }
  const direct = resolver.asPath(join(packageDir, subpath), module);
  if ('file' in direct) out.add(direct.file);
  return [...out];
}
