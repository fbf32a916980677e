// `gatehouse install` as a function: other commands (`gatehouse fix`) call it too. From a lockfile
// (written first from package.json when there is none), every pinned tarball is fetched (or read
// from the cache) and checked against its pinned integrity before anything is written; the tree is
// laid out exactly as `npm ci` lays it out, in staging folders that replace node_modules only at
// the end; lifecycle scripts run only for packages the allowScripts policy allows.
import { readFileSync } from 'node:fs';
import { mkdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { ClientError } from '../errors.js';
import { readLockfile, type LockedPackage, type Lockfile } from '../lockfile.js';
import { clientSettings, NPM_DEFAULT_REGISTRY } from '../npmrc.js';
import { RegistryClient } from '../registry-client.js';
import { linkBins, nodeModulesOf, normaliseBin, type BinOwner } from './bins.js';
import { ContentCache, defaultCacheDir } from './cache.js';
import { readPackageFiles, writePackageFiles } from './extract.js';
import { strongest, verify, type Digest } from './integrity.js';
import { linkTarget, optionalSet, planInstall, type OmitType, type Plan } from './plan.js';
import { createProgress, type Progress } from './progress.js';
import { checkReleaseAge } from './release-age.js';
import {
  dependencyOrder,
  EVENTS,
  identityOf,
  installScripts,
  isAllowed,
  resolvePolicy,
  runScript,
  type ScriptJob,
  type Scripts,
} from './scripts.js';
import { readInstallSettings } from './settings.js';
import { Staging } from './staging.js';

export type { OmitType } from './plan.js';

/** One installed package, as the trust and audit hooks are given it. */
export interface InstallItem {
  name: string;
  version: string;
  integrity: string;
  /** The install path (`node_modules/@s/a`). */
  path: string;
  resolved: string;
}

export interface InstallOptions {
  /** The project folder (package.json, package-lock.json). */
  dir: string;
  /** Default: from the project's and user's .npmrc, as npm finds them. */
  client?: RegistryClient;
  /** The registry token, for the resolver that writes a missing lockfile (default: the .npmrc one for the client's registry). */
  token?: string;
  omit?: OmitType[];
  ignoreScripts?: boolean;
  /** A cache folder, or false for none. Default: $XDG_CACHE_HOME/gatehouse or ~/.cache/gatehouse. */
  cache?: string | false;
  /** Parallel downloads. */
  concurrency?: number;
  /**
   * Registry signature and provenance checks: called with every fetched package after its
   * integrity verified and before anything is swapped in; throwing (a ClientError) aborts the install.
   */
  verifyTrust?: (items: InstallItem[]) => Promise<unknown>;
  /** Vulnerability warnings: same moment and contract as verifyTrust. */
  audit?: (items: InstallItem[]) => Promise<unknown>;
  progress?: Progress;
  /** Warnings and notices (default: stderr). */
  log?: (line: string) => void;
  /** Aborting (Ctrl-C) stops the install and puts the previous node_modules back. */
  signal?: AbortSignal;
}

export interface BlockedScripts {
  name: string;
  version: string;
  path: string;
  scripts: Scripts;
  /** Denied by a false entry, rather than not yet reviewed. */
  denied: boolean;
}

export interface InstallSummary {
  /** Packages (and links) now in node_modules. */
  added: number;
  seconds: number;
  downloaded: number;
  fromCache: number;
  /** Optional packages left out for this platform. */
  skipped: { name: string; version: string; path: string; reason: string }[];
  omitted: number;
  /** The lockfile was written from package.json by this run. */
  lockfileWritten: boolean;
  ran: { name: string; version: string; event: string }[];
  blocked: BlockedScripts[];
}

interface Fetched {
  pkg: LockedPackage;
  bytes: Buffer;
}

export async function install(options: InstallOptions): Promise<InstallSummary> {
  const started = performance.now();
  const dir = options.dir;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const progress = options.progress ?? createProgress(process.stderr);
  const signal = options.signal ?? new AbortController().signal;
  const client = options.client ?? RegistryClient.fromSettings({}, { onRetry: log }, dir);
  const cache = options.cache === false ? undefined : new ContentCache(options.cache ?? defaultCacheDir());
  const pkgJson = readProjectPackage(dir);
  const settings = readInstallSettings(dir);
  const policy = resolvePolicy(pkgJson, settings.allowScripts);
  for (const warning of policy.warnings) log(`warning: ${warning}`);

  // npm reads npm-shrinkwrap.json in place of package-lock.json when a project has one.
  let lock = readLockfile(dir, 'npm-shrinkwrap.json') ?? readLockfile(dir);
  let lockfileWritten = false;
  if (lock === undefined) {
    progress.line('No package-lock.json: resolving package.json');
    const { writeLockfile } = await import('./resolve.js');
    const token = options.token ?? clientSettings({ registry: client.registry }, process.env, dir).token;
    await writeLockfile({ dir, registry: client.registry, token, settings, cache: cache?.dir });
    lockfileWritten = true;
    lock = readLockfile(dir);
    if (lock === undefined) throw new ClientError('The resolver wrote no package-lock.json');
  }
  const omit = new Set<OmitType>(options.omit ?? (process.env.NODE_ENV === 'production' ? ['dev'] : []));
  const plan = planInstall(lock, omit);
  // npm says nothing about these; one line says why the count is lower than the lockfile's.
  if (plan.skipped.length) {
    const first = plan.skipped[0] as Plan['skipped'][number];
    const more = plan.skipped.length > 1 ? ` and ${plan.skipped.length - 1} more` : '';
    log(
      `skipped ${plan.skipped.length} optional package(s) not for this platform: ${first.pkg.name} (needs ${first.reason})${more}`,
    );
  }
  checkAborted(signal);

  await checkReleaseAge(plan.install, settings, client, cache);
  checkAborted(signal);

  const counts = { downloaded: 0, fromCache: 0 };
  const fetched = await fetchAll(plan, client, cache, dir, options.concurrency ?? 16, progress, signal, counts);
  const items: InstallItem[] = fetched.map(({ pkg }) => ({
    name: pkg.name,
    version: pkg.version,
    integrity: pkg.integrity ?? '',
    path: pkg.path,
    resolved: pkg.resolved ?? '',
  }));
  if (options.verifyTrust) await options.verifyTrust(items);
  if (options.audit) await options.audit(items);
  checkAborted(signal);

  // Ctrl-C is seen at the checks below (and stops a running script): never between two renames.
  const staging = new Staging(dir);
  try {
    await staging.prepare(['node_modules', ...plan.install.map((p) => Staging.rootOf(p.path))]);
    const manifests = await layOut(plan, fetched, staging, dir, progress, signal);
    checkAborted(signal);
    await staging.swap();
    const scripts = collectScripts(plan, manifests, staging, policy.policy);
    const ran: InstallSummary['ran'] = [];
    const removed = options.ignoreScripts ? new Set<string>() : await runAllowed(scripts.allowed, plan, dir, ran, log, signal);
    await writeHiddenLockfile(lock, plan, dir, removed);
    checkAborted(signal);
    await staging.commit();
    const blocked = options.ignoreScripts ? [] : scripts.blocked;
    reportBlocked(blocked, log);
    return {
      added: plan.install.length - removed.size,
      seconds: (performance.now() - started) / 1000,
      ...counts,
      skipped: plan.skipped.map(({ pkg, reason }) => ({ name: pkg.name, version: pkg.version, path: pkg.path, reason })),
      omitted: plan.omitted,
      lockfileWritten,
      ran,
      blocked,
    };
  } catch (err) {
    await staging.rollback();
    throw err;
  } finally {
    progress.done();
  }
}

function readProjectPackage(dir: string): Record<string, unknown> {
  const file = join(dir, 'package.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new ClientError(`No package.json in ${dir}: run gatehouse install in a project folder`);
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new ClientError(`${file} is not a JSON object`);
}

export function checkAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new ClientError('Interrupted: the previous node_modules was left as it was.');
}

/** npm's replace-registry-host default: the public registry's URLs are fetched from the configured one. */
function tarballUrl(resolved: string, client: RegistryClient): string {
  if (resolved.startsWith(NPM_DEFAULT_REGISTRY) && client.registry !== NPM_DEFAULT_REGISTRY)
    return client.registry + resolved.slice(NPM_DEFAULT_REGISTRY.length);
  return resolved;
}

function fetchAll(
  plan: Plan,
  client: RegistryClient,
  cache: ContentCache | undefined,
  dir: string,
  concurrency: number,
  progress: Progress,
  signal: AbortSignal,
  counts: { downloaded: number; fromCache: number },
): Promise<Fetched[]> {
  // Bundled packages come inside their bundler's tarball; links are folders of the project.
  const wanted = plan.install.filter((pkg) => !pkg.link && !pkg.inBundle);
  progress.phase('fetching', wanted.length);
  const results: Fetched[] = new Array<Fetched>(wanted.length);
  let next = 0;
  const aborted = new Promise<never>((_, reject) => {
    const fail = () => reject(new ClientError('Interrupted: the previous node_modules was left as it was.'));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
  aborted.catch(() => {});
  const worker = async () => {
    while (next < wanted.length) {
      const i = next++;
      const pkg = wanted[i] as LockedPackage;
      results[i] = { pkg, bytes: await Promise.race([fetchOne(pkg, client, cache, dir, counts), aborted]) };
      progress.tick();
    }
  };
  return Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, wanted.length)) }, worker)).then(() => {
    checkAborted(signal);
    return results;
  });
}

async function fetchOne(
  pkg: LockedPackage,
  client: RegistryClient,
  cache: ContentCache | undefined,
  dir: string,
  counts: { downloaded: number; fromCache: number },
): Promise<Buffer> {
  const what = `${pkg.name}@${pkg.version} (${pkg.path})`;
  const pinned: Digest | undefined = strongest(pkg.integrity);
  if (pinned === undefined) throw new ClientError(`${what}: the lockfile pins no integrity, so the tarball cannot be verified`);
  const cached = await cache?.get(pinned);
  if (cached) {
    counts.fromCache++;
    return cached;
  }
  let bytes: Buffer;
  let from: string;
  if (pkg.resolved?.startsWith('file:')) {
    const file = join(dir, pkg.resolved.slice('file:'.length));
    bytes = await readFile(file).catch(() => {
      throw new ClientError(`${what}: cannot read ${file}`);
    });
    from = file;
  } else if (pkg.resolved) {
    from = tarballUrl(pkg.resolved, client);
    bytes = await client.tarball(from);
  } else {
    ({ bytes, from } = await registryTarball(pkg, client));
  }
  verify(bytes, pinned, what, from);
  counts.downloaded++;
  await cache?.put(pinned, bytes);
  return bytes;
}

/**
 * A lockfile written with omit-lockfile-registry-resolved names no URL: the registry's usual one
 * (`<registry>/<name>/-/<base>-<version>.tgz`), else the one its packument gives.
 */
async function registryTarball(pkg: LockedPackage, client: RegistryClient): Promise<{ bytes: Buffer; from: string }> {
  const base = pkg.name.slice(pkg.name.lastIndexOf('/') + 1);
  const usual = client.url(`${pkg.name}/-/${base}-${pkg.version}.tgz`).href;
  try {
    return { bytes: await client.tarball(usual), from: usual };
  } catch (err) {
    const doc = await client.packument(pkg.name);
    const versions = (doc?.versions ?? {}) as Record<string, { dist?: { tarball?: unknown } }>;
    const url = versions[pkg.version]?.dist?.tarball;
    if (typeof url !== 'string') throw err;
    return { bytes: await client.tarball(url), from: url };
  }
}

interface Unpacked {
  manifest: Record<string, unknown>;
  hasBindingGyp: boolean;
}

async function layOut(
  plan: Plan,
  fetched: Fetched[],
  staging: Staging,
  dir: string,
  progress: Progress,
  signal: AbortSignal,
): Promise<Map<string, Unpacked>> {
  progress.phase('unpacking', fetched.length);
  const manifests = new Map<string, Unpacked>();
  const made = new Set<string>();
  let next = 0;
  const worker = async () => {
    while (next < fetched.length) {
      checkAborted(signal);
      const { pkg, bytes } = fetched[next++] as Fetched;
      const files = await readPackageFiles(bytes, `${pkg.name}@${pkg.version} (${pkg.path})`);
      await writePackageFiles(staging.where(pkg.path), files, made);
      const json = files.find((f) => f.path === 'package.json');
      let manifest: Record<string, unknown> = {};
      try {
        manifest = json ? (JSON.parse(json.bytes.toString('utf8')) as Record<string, unknown>) : {};
      } catch {
        // npm reads scripts from the lockfile flag and the folder; an unreadable one has none
      }
      manifests.set(pkg.path, { manifest, hasBindingGyp: files.some((f) => f.path === 'binding.gyp') });
      progress.tick();
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  progress.done();
  // Links: relative to where the link will be, which is as deep as where it is being made.
  for (const pkg of plan.install) {
    const target = linkTarget(pkg);
    if (target === undefined) continue;
    const at = staging.where(pkg.path);
    await mkdir(dirname(at), { recursive: true });
    await symlink(relative(dirname(staging.final(pkg.path)), join(dir, target)), at, 'dir');
  }
  const owners: BinOwner[] = plan.install.map((pkg) => {
    const target = linkTarget(pkg);
    return { path: pkg.path, bin: target ? plan.nodes.get(target)?.bin : pkg.bin };
  });
  await linkBins(
    owners.filter((o) => o.bin),
    (path) => staging.where(path),
  );
  return manifests;
}

function collectScripts(
  plan: Plan,
  manifests: Map<string, Unpacked>,
  staging: Staging,
  policy: Record<string, boolean> | undefined,
) {
  const allowed: ScriptJob[] = [];
  const blocked: BlockedScripts[] = [];
  for (const pkg of plan.install) {
    const unpacked = manifests.get(pkg.path);
    if (!unpacked || pkg.inBundle) continue;
    const scripts = installScripts(unpacked.manifest, unpacked.hasBindingGyp);
    if (Object.keys(scripts).length === 0) continue;
    const dependents = plan.edges
      .filter((e) => e.to === pkg.path)
      .map((e) => {
        const from = plan.nodes.get(e.from);
        const name = pkg.path.slice(pkg.path.lastIndexOf('node_modules/') + 'node_modules/'.length);
        const spec =
          from?.dependencies?.[name] ??
          from?.optionalDependencies?.[name] ??
          from?.peerDependencies?.[name] ??
          from?.devDependencies?.[name] ??
          '';
        return { name, spec };
      });
    const id = identityOf(pkg, dependents);
    const verdict = isAllowed(pkg, id, policy);
    const job = { pkg, dir: staging.final(pkg.path), manifest: unpacked.manifest, scripts };
    if (verdict === true) allowed.push(job);
    else
      blocked.push({
        name: id?.name ?? pkg.name,
        version: id?.version ?? pkg.version,
        path: pkg.path,
        scripts,
        denied: verdict === false,
      });
  }
  return { allowed, blocked };
}

/**
 * After the swap, so a script sees the paths it will keep (a native build records absolute
 * paths), but before the previous tree is deleted: a failing script puts it back.
 */
async function runAllowed(
  jobs: ScriptJob[],
  plan: Plan,
  dir: string,
  ran: InstallSummary['ran'],
  log: (line: string) => void,
  signal: AbortSignal,
): Promise<Set<string>> {
  const ordered = dependencyOrder(jobs, plan.edges);
  const removed = new Set<string>();
  for (const event of EVENTS) {
    for (const job of ordered) {
      if (!job.scripts[event] || removed.has(job.pkg.path)) continue;
      checkAborted(signal);
      const id = `${job.pkg.name}@${job.pkg.version}`;
      log(`running ${event} of ${id}: ${job.scripts[event]}`);
      const outcome = await runScript(job, event, dir, signal);
      checkAborted(signal);
      if (outcome.code === 0) {
        ran.push({ name: job.pkg.name, version: job.pkg.version, event });
        continue;
      }
      const how = outcome.signal ? `was killed by ${outcome.signal}` : `exited with ${outcome.code}`;
      const output = outcome.output
        .trimEnd()
        .split('\n')
        .slice(-20)
        .map((l) => `  ${l}`)
        .join('\n');
      if (!job.pkg.optional) {
        throw new ClientError(
          `The ${event} script of ${id} (${job.pkg.path}) ${how}; the previous node_modules was put back.\n${output}`,
        );
      }
      // npm's rule for an optional dependency that fails to build: it goes, with what only it needs.
      const set = optionalSet(job.pkg.path, plan.edges, removed);
      log(
        `warning: the ${event} script of optional ${id} ${how}; removed it and ${set.size - 1} package(s) only it needs\n${output}`,
      );
      for (const path of set) {
        removed.add(path);
        await removeInstalled(plan.nodes.get(path), dir);
      }
    }
  }
  return removed;
}

/** A package folder and the bin links that point into it. */
async function removeInstalled(pkg: LockedPackage | undefined, dir: string): Promise<void> {
  if (!pkg) return;
  const folder = join(dir, pkg.path);
  for (const name of Object.keys(normaliseBin(pkg.bin))) {
    const link = join(dir, nodeModulesOf(pkg.path), '.bin', name);
    const target = await readlink(link).catch(() => undefined);
    if (target !== undefined && resolve(dirname(link), target).startsWith(`${folder}/`)) await rm(link, { force: true });
  }
  await rm(folder, { recursive: true, force: true });
}

function reportBlocked(blocked: BlockedScripts[], log: (line: string) => void): void {
  const pending = blocked.filter((b) => !b.denied);
  if (pending.length === 0) return;
  log(
    `${pending.length} package${pending.length === 1 ? ' has' : 's have'} install scripts that did not run (not in allowScripts):`,
  );
  for (const b of pending) {
    const events = Object.entries(b.scripts)
      .map(([event, script]) => `${event}: ${script}`)
      .join('; ');
    log(`  ${b.name}@${b.version} (${events})`);
  }
  const example = pending[0] as BlockedScripts;
  log(
    `To run them, add the packages to "allowScripts" in package.json, e.g. "allowScripts": { "${example.name}": true } ` +
      `(or "${example.name}@${example.version}": true for this version only; \`npm install-scripts approve ${example.name}\` writes it), ` +
      'then install again.',
  );
}

/**
 * node_modules/.package-lock.json as npm writes it: the lockfile's entries for what is on disk,
 * no root entry, lockfileVersion 3. Written last: npm trusts it only while it is newer than every
 * package folder.
 */
async function writeHiddenLockfile(lock: Lockfile, plan: Plan, dir: string, removed: ReadonlySet<string>): Promise<void> {
  const raw = JSON.parse(await readFile(lock.file, 'utf8')) as { packages: Record<string, unknown> };
  const onDisk = new Set(plan.install.map((p) => p.path).filter((path) => !removed.has(path)));
  for (const pkg of plan.install) {
    const target = linkTarget(pkg);
    if (target !== undefined) onDisk.add(target);
  }
  const packages: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw.packages)) if (key !== '' && onDisk.has(key)) packages[key] = value;
  const doc: Record<string, unknown> = {};
  if (lock.name !== undefined) doc.name = lock.name;
  if (lock.version !== undefined) doc.version = lock.version;
  Object.assign(doc, { lockfileVersion: 3, requires: true, packages });
  await writeFile(join(dir, 'node_modules', '.package-lock.json'), `${JSON.stringify(doc, null, 2)}\n`);
}
