// npm's package-lock.json (lockfileVersion 2 and 3: the `packages` map keyed by install path), read
// strictly: a lockfile comes from a repository and is attacker-controlled, so anything not in the
// shape npm writes is refused with the file, line and column, never half-used.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClientError } from './errors.js';

export interface LockedPackage {
  /** The install path: `node_modules/a`, `node_modules/a/node_modules/@s/b`, or a workspace folder. */
  path: string;
  name: string;
  version: string;
  resolved?: string;
  integrity?: string;
  /** A symlink to `resolved` (a workspace or `file:` folder). */
  link?: boolean;
  dev?: boolean;
  optional?: boolean;
  devOptional?: boolean;
  peer?: boolean;
  inBundle?: boolean;
  hasInstallScript?: boolean;
  license?: string;
  bin?: Record<string, string>;
  os?: string[];
  cpu?: string[];
  libc?: string[];
  engines?: Record<string, string>;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  devDependencies?: Record<string, string>;
}

export interface Lockfile {
  file: string;
  lockfileVersion: 2 | 3;
  name: string | undefined;
  version: string | undefined;
  /** The `""` entry: the project itself (its declared dependencies). */
  root: LockedPackage;
  /** Every other entry, in the lockfile's order. */
  packages: LockedPackage[];
}

const STRING_MAPS = ['dependencies', 'optionalDependencies', 'peerDependencies', 'devDependencies'] as const;
const FLAGS = ['link', 'dev', 'optional', 'devOptional', 'peer', 'inBundle', 'hasInstallScript'] as const;
const LISTS = ['os', 'cpu', 'libc'] as const;

export function readLockfile(dir: string, file = 'package-lock.json'): Lockfile | undefined {
  const path = join(dir, file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ClientError(`Cannot read ${path}: ${(err as Error).message}`);
  }
  return parseLockfile(text, path);
}

export function parseLockfile(text: string, file: string): Lockfile {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    const { line, column } = jsonErrorPlace(text, (err as Error).message);
    throw new ClientError(`${file}:${line}:${column}: not valid JSON (${(err as Error).message.replace(/ in JSON.*$/, '')})`);
  }
  const at = (key: string, message: string) => {
    const { line, column } = keyPlace(text, key);
    return new ClientError(`${file}:${line}:${column}: ${message}`);
  };
  if (!isObject(doc)) throw new ClientError(`${file}:1:1: a lockfile is a JSON object`);
  const version = doc.lockfileVersion;
  if (version === 1)
    throw at('lockfileVersion', 'lockfileVersion 1 is not supported: run `npm install` once with npm 7 or later to upgrade it');
  if (version !== 2 && version !== 3)
    throw at('lockfileVersion', `unknown lockfileVersion ${JSON.stringify(version)} (2 and 3 are read)`);
  if (!isObject(doc.packages)) throw at('packages', 'a v2/v3 lockfile has a "packages" object');
  const packages: LockedPackage[] = [];
  let root: LockedPackage | undefined;
  for (const [path, raw] of Object.entries(doc.packages)) {
    const entry = checkEntry(path, raw, (message) => at(path, `"${path}": ${message}`));
    if (path === '') root = entry;
    else packages.push(entry);
  }
  return {
    file,
    lockfileVersion: version,
    name: typeof doc.name === 'string' ? doc.name : undefined,
    version: typeof doc.version === 'string' ? doc.version : undefined,
    root: root ?? { path: '', name: typeof doc.name === 'string' ? doc.name : '', version: '' },
    packages,
  };
}

/** The package name an install path ends in: `node_modules/a/node_modules/@s/b` → `@s/b`. */
export function nameFromPath(path: string): string | undefined {
  const i = path.lastIndexOf('node_modules/');
  return i < 0 ? undefined : path.slice(i + 'node_modules/'.length);
}

function checkEntry(path: string, raw: unknown, fail: (message: string) => ClientError): LockedPackage {
  if (!isObject(raw)) throw fail('an entry is an object');
  if (path !== '' && (path.startsWith('/') || path.split('/').some((part) => part === '..' || part === '.' || part === '')))
    throw fail('an install path must stay inside the project');
  const link = raw.link === true;
  const name = typeof raw.name === 'string' ? raw.name : (nameFromPath(path) ?? '');
  if (
    typeof raw.version !== 'string' &&
    !link &&
    path !== '' &&
    !path.startsWith('node_modules/') &&
    !path.includes('/node_modules/')
  )
    throw fail('"version" is missing');
  if (raw.version !== undefined && typeof raw.version !== 'string') throw fail('"version" must be a string');
  for (const key of ['resolved', 'integrity'] as const)
    if (raw[key] !== undefined && typeof raw[key] !== 'string') throw fail(`"${key}" must be a string`);
  for (const key of FLAGS)
    if (raw[key] !== undefined && typeof raw[key] !== 'boolean') throw fail(`"${key}" must be true or false`);
  for (const key of STRING_MAPS)
    if (raw[key] !== undefined && !isStringMap(raw[key])) throw fail(`"${key}" must map names to strings`);
  const descriptive = descriptiveFields(raw);
  if (raw.bin !== undefined && !isStringMap(raw.bin)) throw fail('"bin" must map command names to paths');
  if (raw.peerDependenciesMeta !== undefined && !isObject(raw.peerDependenciesMeta))
    throw fail('"peerDependenciesMeta" must be an object');
  return {
    ...(raw as Partial<LockedPackage>),
    ...descriptive,
    path,
    name,
    version: typeof raw.version === 'string' ? raw.version : '',
  };
}

/**
 * Fields copied from each package's own package.json, in whatever shape its author wrote: npm
 * keeps `"cpu": "x64"` as a string and old `engines` arrays as they were. They only describe, so
 * odd shapes are normalised (a string becomes a one-item list) or dropped, never refused.
 */
function descriptiveFields(raw: Record<string, unknown>): Pick<LockedPackage, (typeof LISTS)[number] | 'engines' | 'license'> {
  const out: Pick<LockedPackage, (typeof LISTS)[number] | 'engines' | 'license'> = {
    os: undefined,
    cpu: undefined,
    libc: undefined,
    engines: isStringMap(raw.engines) ? raw.engines : undefined,
    license: typeof raw.license === 'string' ? raw.license : undefined,
  };
  for (const key of LISTS) {
    const value = raw[key];
    if (typeof value === 'string') out[key] = [value];
    else if (Array.isArray(value)) out[key] = value.filter((v): v is string => typeof v === 'string');
  }
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringMap(value: unknown): value is Record<string, string> {
  return isObject(value) && Object.values(value).every((v) => typeof v === 'string');
}

/** Where JSON.parse stopped: Node 20 says "at position N", Node 22+ also "(line L column C)". */
function jsonErrorPlace(text: string, message: string): { line: number; column: number } {
  const lineCol = /line (\d+) column (\d+)/.exec(message);
  if (lineCol) return { line: Number(lineCol[1]), column: Number(lineCol[2]) };
  const position = /position (\d+)/.exec(message);
  const offset = position ? Number(position[1]) : text.length;
  return placeOf(text, offset);
}

/** The line of a key's first appearance (`"key":`), for messages about a value that parsed but is wrong. */
function keyPlace(text: string, key: string): { line: number; column: number } {
  const offset = text.indexOf(`${JSON.stringify(key)}:`);
  return offset < 0 ? { line: 1, column: 1 } : placeOf(text, offset);
}

function placeOf(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}
