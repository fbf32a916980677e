// What an install left behind, read back for the e2e tests: the packages each client's lockfile
// pins (with the integrity it recorded) and the tree it wrote under node_modules. Line-level
// parsers, no YAML dependency; each reader knows only the lockfile shapes the pinned clients write.
import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { ClientName } from './clients.js';

export interface LockedPackage {
  name: string;
  version: string;
  /** SRI string of the registry tarball, where the lockfile records one. */
  integrity?: string;
  resolved?: string;
  /** yarn 4 only: `<cache key>/<sha512 hex of yarn's own zip of the package>`, not the tarball's hash. */
  checksum?: string;
}

const LOCKFILES: Record<ClientName, string> = {
  npm11: 'package-lock.json',
  npm12: 'package-lock.json',
  pnpm10: 'pnpm-lock.yaml',
  pnpm12: 'pnpm-lock.yaml',
  yarn1: 'yarn.lock',
  yarn4: 'yarn.lock',
};

/** Every registry package the lockfile in `dir` pins, read with line-level parsers (no YAML dependency). */
export function lockedPackages(client: ClientName, dir: string): LockedPackage[] {
  const text = readFileSync(join(dir, LOCKFILES[client]), 'utf8');
  switch (client) {
    case 'npm11':
    case 'npm12':
      return npmLock(text);
    case 'pnpm10':
    case 'pnpm12':
      return pnpmLock(text);
    case 'yarn1':
    case 'yarn4':
      return text.includes('\n__metadata:') ? berryLock(text) : yarnV1Lock(text);
  }
}

/**
 * name@version -> integrity for every locked package whose lockfile records the tarball's integrity.
 * yarn 4 records none: its `checksum` hashes the zip yarn builds from the tarball, and yarn 4 does not
 * check dist.integrity at all, so its map is empty (use lockedPackages() for versions).
 */
export function lockfileIntegrities(client: ClientName, dir: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const p of lockedPackages(client, dir)) if (p.integrity) map.set(`${p.name}@${p.version}`, p.integrity);
  return map;
}

function npmLock(text: string): LockedPackage[] {
  const lock = JSON.parse(text) as {
    packages?: Record<string, { name?: string; version?: string; integrity?: string; resolved?: string; link?: boolean }>;
  };
  const out: LockedPackage[] = [];
  for (const [path, entry] of Object.entries(lock.packages ?? {})) {
    if (path === '' || entry.link || entry.version === undefined) continue;
    const name = entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    out.push({ name, version: entry.version, integrity: entry.integrity, resolved: entry.resolved });
  }
  return out;
}

/** pnpm-lock.yaml v9: `packages:` maps `name@version:` to `resolution: {integrity: ..., tarball?: ...}`. */
function pnpmLock(text: string): LockedPackage[] {
  const out: LockedPackage[] = [];
  let section = '';
  let current: LockedPackage | undefined;
  for (const line of text.split('\n')) {
    if (/^\S/.test(line)) section = line.replace(/:.*$/, '');
    if (section !== 'packages') continue;
    const key = /^ {2}(['"]?)(.+?)\1:\s*$/.exec(line);
    if (key?.[2] !== undefined) {
      const at = key[2].lastIndexOf('@');
      current = { name: key[2].slice(0, at), version: key[2].slice(at + 1) };
      out.push(current);
      continue;
    }
    const resolution = /^ {4}resolution: \{(.*)\}\s*$/.exec(line);
    if (current && resolution?.[1] !== undefined) {
      const fields = Object.fromEntries(
        resolution[1].split(',').map((kv) => kv.split(/:\s+/).map((s) => s.trim().replace(/^['"]|['"]$/g, ''))),
      ) as Record<string, string | undefined>;
      current.integrity = fields.integrity;
      current.resolved = fields.tarball;
    }
  }
  return out;
}

/** yarn.lock v1: `"a@^1", a@1.0.0:` blocks with `version`, `resolved` and `integrity` lines. */
function yarnV1Lock(text: string): LockedPackage[] {
  const out: LockedPackage[] = [];
  for (const block of text.split(/\n(?=\S)/)) {
    const [head, ...body] = block.split('\n');
    if (head === undefined || head.startsWith('#') || !head.endsWith(':')) continue;
    // `"@s/a@^1", "@s/a@^1.1":` -> `@s/a@^1`; the name ends at the first "@" after its first character
    const spec = (head.slice(0, -1).split(',')[0] ?? '').trim().replace(/^"|"$/g, '');
    const field = (name: string) =>
      body.map((l) => new RegExp(`^ {2}${name} "?([^"]*)"?$`).exec(l)?.[1]).find((v) => v !== undefined);
    const version = field('version');
    if (version === undefined) continue;
    out.push({ name: spec.slice(0, spec.indexOf('@', 1)), version, resolved: field('resolved'), integrity: field('integrity') });
  }
  return out;
}

/** yarn 4 ("berry") lockfile: YAML blocks with `version`, `resolution: "name@npm:1.0.0"`, `checksum`. */
function berryLock(text: string): LockedPackage[] {
  const out: LockedPackage[] = [];
  for (const block of text.split(/\n(?=\S)/)) {
    const field = (name: string) => new RegExp(`^ {2}${name}: "?([^"\\n]*)"?$`, 'm').exec(block)?.[1];
    const resolution = field('resolution');
    const version = field('version');
    if (resolution === undefined || version === undefined || !resolution.includes('@npm:')) continue;
    out.push({ name: resolution.slice(0, resolution.lastIndexOf('@npm:')), version, checksum: field('checksum') });
  }
  return out;
}

/**
 * name -> version of every package installed under `dir`/node_modules, whatever the layout: nested
 * (npm, yarn), or pnpm's symlinks into node_modules/.pnpm, where a package's dependencies are its
 * siblings. A name installed at several versions maps to them sorted and joined with ", ".
 */
export function installedTree(dir: string): Map<string, string> {
  const versions = new Map<string, Set<string>>();
  const seen = new Set<string>();
  const seenModulesDirs = new Set<string>();
  const visitModulesDir = (modules: string) => {
    if (!existsSync(modules) || seenModulesDirs.has(realpathSync(modules))) return;
    seenModulesDirs.add(realpathSync(modules));
    for (const [name, path] of packageDirs(modules)) {
      const real = realpathSync(path);
      if (seen.has(real)) continue;
      seen.add(real);
      const manifest = readManifest(real);
      if (manifest?.version === undefined) continue;
      versions.set(name, (versions.get(name) ?? new Set()).add(manifest.version));
      visitModulesDir(join(real, 'node_modules'));
      // pnpm: the real directory is .pnpm/<id>/node_modules/<name>, its dependencies sit beside it
      const parent = name.startsWith('@') ? dirname(dirname(real)) : dirname(real);
      if (basename(parent) === 'node_modules') visitModulesDir(parent);
    }
  };
  visitModulesDir(join(dir, 'node_modules'));
  return new Map([...versions].sort(([a], [b]) => a.localeCompare(b)).map(([n, v]) => [n, [...v].sort().join(', ')]));
}

function packageDirs(modules: string): [string, string][] {
  if (!existsSync(modules)) return [];
  const out: [string, string][] = [];
  for (const entry of readdirSync(modules)) {
    if (entry.startsWith('.')) continue; // .bin, .pnpm, .cache, .package-lock.json, .yarn-state.yml
    const path = join(modules, entry);
    if (entry.startsWith('@')) {
      if (lstatSync(path).isDirectory()) for (const sub of readdirSync(path)) out.push([`${entry}/${sub}`, join(path, sub)]);
    } else out.push([entry, path]);
  }
  return out;
}

function readManifest(dir: string): { name?: string; version?: string } | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
  } catch {
    return undefined;
  }
}
