// Lifecycle scripts under npm 12's allowScripts policy (RFC npm/rfcs#868, read from npm's
// arborist: script-allowed.js, install-scripts.js, and the CLI's resolve-allow-scripts.js). The
// policy is package.json `allowScripts` (else `allow-scripts` in .npmrc): keys are a bare name (or
// `name@*`) or exact versions (`name@1.2.3`, `name@1.0.0 || 1.0.1`), values true or false; a
// range or a dist-tag is ignored with a warning, a deny wins over an allow, and anything not
// matched does not run. A registry package is identified by the name and version in its lockfile
// `resolved` URL, never by its own package.json (which its publisher controls); bundled packages
// never run scripts. The scripts that count are preinstall, install and postinstall, plus
// `node-gyp rebuild` as the install script of a package with a binding.gyp and neither of the
// first two (unless `gypfile: false`).
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { delimiter, dirname, join, resolve } from 'node:path';
import semver from 'semver';
import { ClientError } from '../errors.js';
import type { LockedPackage } from '../lockfile.js';

export type Policy = Record<string, boolean>;
export const EVENTS = ['preinstall', 'install', 'postinstall'] as const;
export type LifecycleEvent = (typeof EVENTS)[number];
export type Scripts = Partial<Record<LifecycleEvent, string>>;

export interface PolicySource {
  policy: Policy | undefined;
  source: 'package.json' | '.npmrc' | undefined;
  warnings: string[];
}

/** package.json `allowScripts` wins over .npmrc `allow-scripts`, as in npm. */
export function resolvePolicy(pkgJson: Record<string, unknown>, rcList: string[]): PolicySource {
  const warnings: string[] = [];
  const raw = pkgJson.allowScripts;
  if (raw !== undefined && (typeof raw !== 'object' || raw === null || Array.isArray(raw)))
    throw new ClientError('package.json "allowScripts" must be an object of package names to true or false');
  const fromPkg = raw ? validate(raw as Record<string, unknown>, 'package.json', warnings) : undefined;
  const fromRc = rcList.length ? validate(Object.fromEntries(rcList.map((k) => [k, true])), '.npmrc', warnings) : undefined;
  if (fromPkg) {
    if (fromRc) warnings.push('.npmrc allow-scripts is ignored because package.json declares its own allowScripts field');
    return { policy: fromPkg, source: 'package.json', warnings };
  }
  return { policy: fromRc, source: fromRc ? '.npmrc' : undefined, warnings };
}

function validate(raw: Record<string, unknown>, label: string, warnings: string[]): Policy | undefined {
  const clean: Policy = {};
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value !== 'boolean') throw new ClientError(`${label} allowScripts: "${key}" must be true or false`);
    const parsed = parseKey(key);
    if (parsed === 'range') {
      warnings.push(
        `${label}: ignoring "${key}": semver ranges (^, ~, >=, <) are not allowed; use exact versions joined by "||"`,
      );
      continue;
    }
    if (parsed === 'tag') {
      warnings.push(`${label}: ignoring "${key}": dist-tags are not allowed; use exact versions or the bare package name`);
      continue;
    }
    if (parsed === undefined) {
      warnings.push(`${label}: ignoring unparseable entry "${key}"`);
      continue;
    }
    clean[key] = value;
  }
  return Object.keys(clean).length ? clean : undefined;
}

type Key =
  | { kind: 'registry'; name: string; versions: string[] | undefined }
  | { kind: 'source'; spec: string }
  | 'range'
  | 'tag'
  | undefined;

const NAME = /^(@[a-z0-9][\w.~-]*\/)?[a-z0-9~][\w.~-]*$/i;

function parseKey(key: string): Key {
  if (/^(file:|git\+|git:|github:|https?:)/.test(key) || key.startsWith('.') || key.startsWith('/'))
    return { kind: 'source', spec: key.replace(/^file:/, '') };
  const at = key.indexOf('@', 1);
  const name = at < 0 ? key : key.slice(0, at);
  const spec = at < 0 ? '' : key.slice(at + 1).trim();
  if (!NAME.test(name)) return undefined;
  if (spec === '' || spec === '*') return { kind: 'registry', name, versions: undefined };
  if (spec.startsWith('npm:')) return undefined; // an alias names nothing: the real package must be named
  const parts = spec.split('||').map((p) => p.trim());
  if (parts.every((p) => p !== '' && semver.valid(p) !== null)) return { kind: 'registry', name, versions: parts };
  return semver.validRange(spec) !== null ? 'range' : 'tag';
}

export interface Identity {
  name: string;
  /** Undefined when the lockfile's `resolved` does not name it: only a bare-name key can allow then. */
  version: string | undefined;
  registry: boolean;
}

/** arborist's version-from-tgz: `…/<@scope>/<name>/-/<name>-<version>.tgz`. */
export function identityOf(pkg: LockedPackage, dependentSpecs: { name: string; spec: string }[]): Identity | undefined {
  const resolved = pkg.resolved ?? '';
  const registryShape = /^https?:\/\/[^/]+\/.+\/-\/[^/]+-\d/.test(resolved);
  if (registryShape) {
    const url = new URL(resolved);
    const [before, file] = url.pathname.slice(1).split('/-/').slice(-2) as [string, string];
    const parts = before.split(/\/|%2f/i);
    const project = parts.pop() as string;
    const scope = parts.pop();
    if (file.startsWith(`${project}-`) && file.endsWith('.tgz')) {
      const version = semver.parse(file.slice(project.length + 1, -4))?.version;
      if (version) return { name: scope?.startsWith('@') ? `${scope}/${project}` : project, version, registry: true };
    }
  }
  if (resolved && !registryShape) return { name: pkg.name, version: undefined, registry: false };
  // No usable URL: the name the dependents asked for (an alias's real name), never the tarball's.
  for (const { name, spec } of dependentSpecs) {
    const alias = /^npm:((?:@[^/]+\/)?[^@]+)@/.exec(spec);
    return { name: alias ? (alias[1] as string) : name, version: undefined, registry: true };
  }
  return undefined;
}

/** true: allowed; false: denied; undefined: not reviewed (does not run either). */
export function isAllowed(pkg: LockedPackage, id: Identity | undefined, policy: Policy | undefined): boolean | undefined {
  if (pkg.inBundle || !policy || !id) return undefined;
  let allow = false;
  let deny = false;
  for (const [key, value] of Object.entries(policy)) {
    const parsed = parseKey(key);
    if (!parsed || typeof parsed === 'string') continue;
    let matched: boolean;
    if (parsed.kind === 'source') matched = !id.registry && (pkg.resolved === parsed.spec || pkg.resolved === key);
    else if (!id.registry || id.name !== parsed.name) matched = false;
    else if (parsed.versions === undefined) matched = true;
    // An unknown version: a deny still blocks, an allow is refused.
    else matched = id.version === undefined ? !value : parsed.versions.some((v) => semver.eq(v, id.version as string));
    if (!matched) continue;
    if (value) allow = true;
    else deny = true;
  }
  return deny ? false : allow ? true : undefined;
}

/** The install-time scripts of an unpacked package (its own package.json, read from the tarball). */
export function installScripts(manifest: Record<string, unknown>, hasBindingGyp: boolean): Scripts {
  const scripts = (typeof manifest.scripts === 'object' && manifest.scripts ? manifest.scripts : {}) as Record<string, unknown>;
  const found: Scripts = {};
  for (const event of EVENTS) if (typeof scripts[event] === 'string' && scripts[event]) found[event] = scripts[event] as string;
  if (!found.preinstall && !found.install && manifest.gypfile !== false && hasBindingGyp) found.install = 'node-gyp rebuild';
  return found;
}

export interface ScriptJob {
  pkg: LockedPackage;
  /** Where the package is now. */
  dir: string;
  manifest: Record<string, unknown>;
  scripts: Scripts;
}

/** Dependencies before their dependents (a cycle is broken at the point it is met). */
export function dependencyOrder<T extends { pkg: LockedPackage }>(jobs: T[], edges: { from: string; to: string }[]): T[] {
  const byPath = new Map(jobs.map((job) => [job.pkg.path, job]));
  const out = new Map(jobs.map((job) => [job.pkg.path, [] as string[]]));
  for (const edge of edges) out.get(edge.from)?.push(edge.to);
  const done = new Set<string>();
  const visiting = new Set<string>();
  const ordered: T[] = [];
  const visit = (path: string) => {
    if (done.has(path) || visiting.has(path)) return;
    visiting.add(path);
    for (const dep of out.get(path) ?? []) visit(dep);
    visiting.delete(path);
    done.add(path);
    const job = byPath.get(path);
    if (job) ordered.push(job);
  };
  for (const job of [...jobs].sort((a, b) => a.pkg.path.localeCompare(b.pkg.path, 'en'))) visit(job.pkg.path);
  return ordered;
}

/** @npmcli/run-script's PATH: every node_modules/.bin from the package up to the project, then node's folder. */
function pathFor(pkgDir: string, projectDir: string): string {
  const dirs: string[] = [];
  for (let dir = pkgDir; ; dir = dirname(dir)) {
    dirs.push(join(dir, 'node_modules', '.bin'));
    if (dir === projectDir || dirname(dir) === dir) break;
  }
  dirs.push(dirname(process.execPath));
  return [...dirs, process.env.PATH ?? ''].join(delimiter);
}

export interface RunOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

export function runScript(job: ScriptJob, event: LifecycleEvent, projectDir: string, signal: AbortSignal): Promise<RunOutcome> {
  const script = job.scripts[event] as string;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: pathFor(job.dir, projectDir),
    npm_lifecycle_event: event,
    npm_lifecycle_script: script,
    npm_package_name: String(job.manifest.name ?? job.pkg.name),
    npm_package_version: String(job.manifest.version ?? job.pkg.version),
    npm_package_json: join(job.dir, 'package.json'),
    npm_package_resolved: job.pkg.resolved ?? '',
    npm_package_integrity: job.pkg.integrity ?? '',
    npm_package_optional: job.pkg.optional ? 'true' : '',
    npm_package_dev: job.pkg.dev ? 'true' : '',
    npm_package_peer: job.pkg.peer ? 'true' : '',
    npm_node_execpath: process.execPath,
    NODE: process.execPath,
    INIT_CWD: projectDir,
    npm_config_user_agent: `gatehouse node/${process.version} ${process.platform} ${process.arch}`,
  };
  return new Promise((resolvePromise, reject) => {
    // Its own process group, so stopping it stops what the shell started too (dash does not exec).
    const child = spawn('/bin/sh', ['-c', script], { cwd: job.dir, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const stop = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    };
    signal.addEventListener('abort', stop, { once: true });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.on('error', (err) => {
      signal.removeEventListener('abort', stop);
      reject(err);
    });
    child.on('close', (code, sig) => {
      signal.removeEventListener('abort', stop);
      resolvePromise({ code, signal: sig, output });
    });
  });
}

export async function readManifest(dir: string): Promise<Record<string, unknown>> {
  try {
    return JSON.parse(await readFile(resolve(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}
