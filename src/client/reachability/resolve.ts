// Node's module resolution, enough to follow an application into its dependencies: relative and
// absolute paths (with CommonJS's extension and index probing, which is also applied to ESM
// imports so that bundler-style code is followed rather than dropped), package `exports` and
// `imports` maps (resolve.exports, with the conditions node + import or require + default), `main`,
// and node_modules lookup from the importing file's folder up. Reachability over-approximates: a
// file that might be loaded is better followed than missed.
import { builtinModules } from 'node:module';
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve as resolvePath } from 'node:path';
import { exports as exportsOf, imports as importsOf } from 'resolve.exports';
import type { ImportKind } from './parse.js';

export type Resolution = { file: string } | { builtin: string } | { missing: string };

/** What the report says about the conditions used. */
export const CONDITIONS = {
  import: ['node', 'import', 'default'],
  require: ['node', 'require', 'default'],
};

const EXTENSIONS = ['.js', '.json', '.node', '.mjs', '.cjs'];
const BUILTINS = new Set(builtinModules);

export interface PackageJson {
  name?: string;
  main?: string;
  exports?: unknown;
  imports?: unknown;
  bin?: string | Record<string, string>;
  type?: string;
}

export class Resolver {
  private readonly manifests = new Map<string, PackageJson | null>();
  private readonly kinds = new Map<string, 'file' | 'dir' | null>();

  /** A file's real path, as Node loads it (a workspace symlink resolved to its folder). */
  real(file: string): string {
    try {
      return realpathSync(file);
    } catch {
      return file;
    }
  }

  kind(path: string): 'file' | 'dir' | null {
    let known = this.kinds.get(path);
    if (known !== undefined) return known;
    try {
      const s = statSync(path);
      known = s.isFile() ? 'file' : s.isDirectory() ? 'dir' : null;
    } catch {
      known = null;
    }
    this.kinds.set(path, known);
    return known;
  }

  manifest(dir: string): PackageJson | null {
    let known = this.manifests.get(dir);
    if (known !== undefined) return known;
    try {
      const parsed: unknown = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      known = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as PackageJson) : null;
    } catch {
      known = null;
    }
    this.manifests.set(dir, known);
    return known;
  }

  resolve(specifier: string, fromFile: string, kind: ImportKind): Resolution {
    if (specifier.startsWith('node:') || BUILTINS.has(specifier) || BUILTINS.has(specifier.split('/')[0] ?? ''))
      return { builtin: specifier };
    const require = kind === 'require';
    if (specifier.startsWith('file://')) return this.asPath(new URL(specifier).pathname, specifier);
    if (
      specifier.startsWith('./') ||
      specifier.startsWith('../') ||
      specifier === '.' ||
      specifier === '..' ||
      isAbsolute(specifier)
    )
      return this.asPath(resolvePath(dirname(fromFile), specifier), specifier);
    if (specifier.startsWith('#')) return this.packageImport(specifier, fromFile, require);
    return this.bare(specifier, dirname(fromFile), require);
  }

  /** A file as given, with an extension added, or a folder's package.json `main` / index. */
  asPath(path: string, specifier: string): Resolution {
    const file = this.probeFile(path) ?? this.probeDir(path);
    return file ? { file: this.real(file) } : { missing: specifier };
  }

  private probeFile(path: string): string | undefined {
    if (this.kind(path) === 'file') return path;
    return EXTENSIONS.map((ext) => path + ext).find((p) => this.kind(p) === 'file');
  }

  private probeDir(path: string): string | undefined {
    if (this.kind(path) !== 'dir') return undefined;
    const main = this.manifest(path)?.main;
    if (typeof main === 'string') {
      const target = resolvePath(path, main);
      const found = this.probeFile(target) ?? this.probeIndex(target);
      if (found) return found;
    }
    return this.probeIndex(path);
  }

  private probeIndex(dir: string): string | undefined {
    return EXTENSIONS.map((ext) => join(dir, `index${ext}`)).find((p) => this.kind(p) === 'file');
  }

  /** The folder of the nearest package.json above `file`: the package scope `#imports` and self-reference use. */
  scopeOf(file: string): string | undefined {
    for (let dir = dirname(file); ; dir = dirname(dir)) {
      if (this.manifest(dir)) return dir;
      if (dirname(dir) === dir) return undefined;
    }
  }

  private packageImport(specifier: string, fromFile: string, require: boolean): Resolution {
    const scope = this.scopeOf(fromFile);
    const pkg = scope ? this.manifest(scope) : null;
    if (!scope || !pkg?.imports) return { missing: specifier };
    let targets: string[] | undefined;
    try {
      targets = importsOf({ name: pkg.name ?? '', ...pkg } as never, specifier, { require }) ?? undefined;
    } catch {
      return { missing: specifier };
    }
    for (const target of targets ?? []) {
      const found = target.startsWith('./')
        ? this.asPath(resolvePath(scope, target), specifier)
        : this.bare(target, scope, require);
      if ('file' in found || 'builtin' in found) return found;
    }
    return { missing: specifier };
  }

  /** `name` or `name/sub/path`: the package found from `dir` upward, then its exports or files. */
  bare(specifier: string, dir: string, require: boolean): Resolution {
    const parts = specifier.split('/');
    const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? '');
    const subpath = parts.slice(specifier.startsWith('@') ? 2 : 1).join('/');
    for (let at = dir; ; at = dirname(at)) {
      const candidate = at.endsWith('/node_modules') ? undefined : join(at, 'node_modules', name);
      if (candidate && this.kind(candidate) === 'dir') return this.inPackage(candidate, name, subpath, specifier, require);
      // self-reference: a package importing itself by name through its own exports
      const own = this.manifest(at);
      if (own?.name === name && own.exports !== undefined) return this.inPackage(at, name, subpath, specifier, require);
      if (dirname(at) === at) return { missing: specifier };
    }
  }

  /** A file inside an installed package: through `exports` when it has one, else by path, `main`, index. */
  inPackage(root: string, name: string, subpath: string, specifier: string, require: boolean): Resolution {
    const pkg = this.manifest(root);
    if (pkg?.exports !== undefined && pkg.exports !== null) {
      let targets: string[] | undefined;
      try {
        targets = exportsOf({ name, ...pkg } as never, subpath ? `./${subpath}` : '.', { require }) ?? undefined;
      } catch {
        return { missing: specifier };
      }
      for (const target of targets ?? []) {
        const file = resolvePath(root, target);
        if (this.kind(file) === 'file') return { file: this.real(file) };
      }
      return { missing: specifier };
    }
    return this.asPath(subpath ? join(root, subpath) : root, specifier);
  }
}

/** Every string target in an exports map, under any condition: each is a way into the package. */
export function exportTargets(exportsField: unknown): string[] {
  if (typeof exportsField === 'string') return [exportsField];
  if (Array.isArray(exportsField)) return exportsField.flatMap(exportTargets);
  if (typeof exportsField === 'object' && exportsField !== null) return Object.values(exportsField).flatMap(exportTargets);
  return [];
}
