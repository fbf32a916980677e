// Drives the real npm, pnpm and yarn clients from end-to-end tests: one throwaway HOME, cache and
// config per workspace, each client started by absolute path on the Node it needs. It must never
// touch the developer's own config or caches, and never run a client found by name on PATH.
//
// Findings behind the choices below, read in the installed clients and then observed against a
// local registry (they extend the shared npm-registry-protocol notes, §1.4, §7.2 and §16):
//
// - Binaries. npm 11 is the machine's own (<prefix>/lib/node_modules/npm, on process.execPath).
//   npm 12.2.1 needs Node ^22.22.2 || ^24.15 and runs on node-<platform>-<arch> (Node 24). pnpm 12 is
//   a native (Rust) executable from @pnpm/exe.<platform>-<arch>. Both are optional dependencies of
//   test/support/platform-binaries (a dev dependency), so npm installs only this platform's build and
//   none exists for some (see missingClient); the `pnpm` wrapper package is not used, as some of its
//   platforms' binaries are missing from the reachable registry. npm 12 and pnpm 12
//   find `node` for lifecycle scripts on PATH (npm adds only node_modules/.bin dirs), so their PATH
//   starts with the Node 24 directory, the others' with the machine's. node_modules/.bin entries that
//   `npm test` puts on PATH are dropped.
// - Config files. Every client reads the user-level ~/.npmrc from any working directory (npm reads a
//   project .npmrc only at the project root), so registry and token go there; `npm login` writes its
//   token back to the same file. pnpm 11+ keeps only auth and registry keys from .npmrc; its other
//   settings go to $XDG_CONFIG_HOME/pnpm/config.yaml (pnpm 12) or $XDG_CONFIG_HOME/pnpm/rc (pnpm 10).
//   yarn 1 reads ~/.npmrc and ~/.yarnrc, but `always-auth` only from .npmrc; yarn 4 reads only
//   .yarnrc.yml files (here ~/.yarnrc.yml). npm warns about keys it does not know, so each client
//   gets its own keys in its own file.
// - Release-age gates (0 = off; observed failures in brackets). npm `min-release-age` is in DAYS,
//   fractions allowed, off by default [ENOVERSIONS]. pnpm 10 `minimum-release-age`, minutes, off by
//   default [ERR_PNPM_NO_MATURE_MATCHING_VERSION]. pnpm 12 `minimumReleaseAge`, minutes, DEFAULT 1440,
//   with `minimumReleaseAgeStrict` (true: fail [ERR_PNPM_NO_MATURE_MATCHING_VERSION]; false: install
//   the immature version and note it in minimumReleaseAgeExclude). yarn 4 `npmMinimalAgeGate`, a
//   duration whose bare numbers are minutes ("1d", "30m"), DEFAULT 1d, and a version without a `time`
//   entry counts as too young [YN0016 "quarantined"]. yarn 1 has none.
// - CI=true changes defaults: pnpm turns frozen-lockfile on when a lockfile exists, yarn 4 makes
//   installs immutable, pnpm 12 skips its update check. installCommand() always names the mode.
// - Install scripts of dependencies: npm 11 runs unreviewed ones and warns (only `false` in
//   package.json#allowScripts blocks). npm 12 runs only those allowed by package.json#allowScripts
//   (`name@exact-version` or bare name; ranges are dropped with a warning), matched on the name and
//   version in the `resolved` URL; `--dangerously-allow-all-scripts` bypasses, `strict-allow-scripts`
//   turns the warning into a failure. pnpm 10 skips unapproved builds with a warning; pnpm 12 FAILS the
//   install (exit 1, ERR_PNPM_IGNORED_BUILDS, CI or not) unless pnpm-workspace.yaml has
//   `allowBuilds: { <name>: true }`. yarn 4.18 defaults to `enableScripts: false` (warning YN0004);
//   yarn 1 runs everything. The harness keeps all of these defaults.
// - Plain http on 127.0.0.1: yarn 4 refuses it unless the host is in `unsafeHttpWhitelist`. yarn 1 and
//   yarn 4 send the token on unscoped requests only with `always-auth` / `npmAlwaysAuth`, set here.
// - yarn 4 keeps no tarball URL in yarn.lock when dist.tarball is "conventional"; it then downloads
//   /@scope%2fname/-/name-1.0.0.tgz (slash encoded) and retries with "/" only if that fails.
// - npm 12 defaults `allow-git=none` and `allow-remote=none` (tarballs on the registry's host still
//   install), prints `run` banners on stderr as "npm notice run ...", and has no `npm adduser`.
// - `npm login` (npm 11 and 12; web is the default auth-type) without a TTY: POST /-/v1/login with
//   body {}, then "Login at:\n<loginUrl>" on STDOUT (unredacted, before polling ends) while it polls
//   GET <doneUrl> at once, honouring Retry-After on 202, until 200 {token}. It never opens a browser
//   nor waits for ENTER, so `--browser=false` is not needed. Then the token goes to ~/.npmrc and stdout
//   ends "Logged in on <registry>.". If POST /-/v1/login answers 4xx or 500, npm falls back to the
//   username/password prompt, which reads stdin: "Username: " on stdout, exit 1 once stdin closes.
// - pnpm 12 sends GET /pnpm (abbreviated Accept, with the token) to the configured registry before
//   install/add: its update check (`updateNotifier`, skipped in CI). A 404 is harmless; it is off here.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, delimiter, dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export type ClientName = 'npm11' | 'npm12' | 'pnpm10' | 'pnpm12' | 'yarn1' | 'yarn4';
export const ALL_CLIENTS: ClientName[] = ['npm11', 'npm12', 'pnpm10', 'pnpm12', 'yarn1', 'yarn4'];

export interface Workspace {
  /** The project directory: write package.json here; the default cwd of run(). */
  dir: string;
  home: string;
  cacheDir: string;
  env: NodeJS.ProcessEnv;
}

export interface ClientResult {
  code: number;
  stdout: string;
  stderr: string;
  durationMs: number;
}

const nodeModules = fileURLToPath(new URL('../../node_modules/', import.meta.url));
const machineNode = process.execPath;
const platform = `${process.platform}-${process.arch}`;
const node24Package = `node-${platform}`;
const node24 = join(nodeModules, node24Package, 'bin', 'node');
const pnpm12Package = `@pnpm/exe.${platform}`;
const pnpm12 = join(nodeModules, pnpm12Package, process.platform === 'win32' ? 'pnpm.exe' : 'pnpm');

interface ClientSpec {
  major: number;
  /** The Node that runs the client and that lifecycle scripts find first on PATH. */
  node: string;
  /** Executable and leading arguments. */
  command: () => string[];
}

export const CLIENTS: Record<ClientName, ClientSpec> = {
  npm11: { major: 11, node: machineNode, command: () => [machineNode, npm11Cli()] },
  npm12: {
    major: 12,
    node: node24,
    command: () => [installed('npm12', node24), join(nodeModules, 'npm12', 'bin', 'npm-cli.js')],
  },
  pnpm10: { major: 10, node: machineNode, command: () => [machineNode, join(nodeModules, 'pnpm10', 'bin', 'pnpm.cjs')] },
  pnpm12: { major: 12, node: node24, command: () => [installed('pnpm12', pnpm12)] },
  yarn1: { major: 1, node: machineNode, command: () => [machineNode, join(nodeModules, 'yarn', 'bin', 'yarn.js')] },
  yarn4: {
    major: 4,
    node: machineNode,
    command: () => [machineNode, join(nodeModules, '@yarnpkg', 'cli-dist', 'bin', 'yarn.js')],
  },
};

function npm11Cli(): string {
  const cli = join(dirname(dirname(machineNode)), 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
  if (!existsSync(cli)) throw new Error(`npm 11 is expected next to ${machineNode}, at ${cli}`);
  return cli;
}

/** Why `client` cannot run on this machine, or undefined when it can. */
export function missingClient(client: ClientName): string | undefined {
  // pnpm 12 is a native binary; lifecycle scripts still need a Node 24 on PATH, as for npm 12
  const needs: Record<ClientName, [string, string][]> = {
    npm11: [],
    npm12: [[node24Package, node24]],
    pnpm10: [],
    pnpm12: [
      [pnpm12Package, pnpm12],
      [node24Package, node24],
    ],
    yarn1: [],
    yarn4: [],
  };
  const absent = needs[client].filter(([, file]) => !existsSync(file)).map(([pkg]) => pkg);
  if (absent.length === 0) return undefined;
  const listed = absent.filter((pkg) => pkg in platformBuilds);
  const why =
    listed.length === absent.length
      ? 'run `npm ci` to install it'
      : `test/support/platform-binaries lists no build for ${platform}, as the registry has none`;
  return `${client} needs ${absent.join(' and ')}, not installed here: ${why}`;
}

const platformBuilds = (
  JSON.parse(readFileSync(new URL('../support/platform-binaries/package.json', import.meta.url), 'utf8')) as {
    optionalDependencies: Record<string, string>;
  }
).optionalDependencies;

/**
 * True when tests that drive any of `clients` should be skipped: one is missing here and this is not
 * CI. In CI (CI=true) a missing client is never skipped, so its tests fail on the path it lacks.
 */
export function skipWithout(...clients: ClientName[]): boolean {
  if (process.env.CI === 'true') return false;
  const reasons = clients.map(missingClient).filter((reason) => reason !== undefined);
  for (const reason of reasons) {
    if (warned.has(reason)) continue;
    warned.add(reason);
    process.stderr.write(`skipped: ${reason}\n`); // vitest's skipIf takes no reason; say it once
  }
  return reasons.length > 0;
}
const warned = new Set<string>();

/** The clients of `clients` that run here, or all of them in CI (where a missing one must fail). */
export function runnable(clients: readonly ClientName[]): ClientName[] {
  return clients.filter((client) => !skipWithout(client));
}

function installed(client: ClientName, file: string): string {
  const reason = missingClient(client);
  if (reason !== undefined) throw new Error(reason);
  return file;
}

export interface WorkspaceOptions {
  registry: string;
  token?: string;
  client: ClientName;
  /** Minimum release age in minutes; 0 (the default) turns every client's age gate off. */
  releaseAgeMinutes?: number;
  /** Appended verbatim to ~/.npmrc. */
  extraNpmrc?: string;
}

export async function createWorkspace(opts: WorkspaceOptions): Promise<Workspace> {
  const root = await mkdtemp(join(tmpdir(), `gatehouse-e2e-${opts.client}-`));
  const dir = join(root, 'project');
  const home = join(root, 'home');
  const cacheDir = join(root, 'cache');
  const xdgConfig = join(home, '.config');
  for (const d of [dir, home, cacheDir, xdgConfig, join(root, 'tmp')]) await mkdir(d, { recursive: true });

  const registry = opts.registry.endsWith('/') ? opts.registry : `${opts.registry}/`;
  const age = opts.releaseAgeMinutes ?? 0;
  const files = clientConfigFiles(opts.client, { root, home, cacheDir, registry, age, token: opts.token });
  files[join(home, '.npmrc')] = npmrc(opts, registry, cacheDir, age) + (opts.extraNpmrc?.replace(/\n?$/, '\n') ?? '');
  for (const [file, text] of Object.entries(files)) {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, text);
  }
  const env: NodeJS.ProcessEnv = {
    ...inheritedEnv(),
    HOME: home,
    USERPROFILE: home,
    XDG_CONFIG_HOME: xdgConfig,
    XDG_CACHE_HOME: join(cacheDir, 'xdg'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    PNPM_HOME: join(home, '.local', 'share', 'pnpm'),
    TMPDIR: join(root, 'tmp'),
    CI: 'true',
    NO_UPDATE_NOTIFIER: '1',
    DO_NOT_TRACK: '1',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
    // The clients are started by path, so Corepack never runs; these keep it quiet if a script calls it.
    COREPACK_ENABLE_STRICT: '0',
    COREPACK_ENABLE_AUTO_PIN: '0',
    COREPACK_ENABLE_DOWNLOAD_PROMPT: '0',
    // yarn 1 refuses a package.json whose packageManager names another yarn unless Corepack runs it.
    SKIP_YARN_COREPACK_CHECK: '1',
    NO_PROXY: ['127.0.0.1', 'localhost', process.env.NO_PROXY].filter(Boolean).join(','),
    no_proxy: ['127.0.0.1', 'localhost', process.env.no_proxy].filter(Boolean).join(','),
  };
  return { dir, home, cacheDir, env };
}

/** Deletes everything createWorkspace made (the parent of ws.dir). */
export async function removeWorkspace(ws: Workspace): Promise<void> {
  const root = dirname(ws.dir);
  if (!basename(root).startsWith('gatehouse-e2e-')) throw new Error(`${root} is not a workspace`);
  await rm(root, { recursive: true, force: true });
}

/** process.env without what `npm test` and the developer's shell set for package managers. */
function inheritedEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm|pnpm|yarn|corepack)_/i.test(key)) continue;
    if (['INIT_CWD', 'NODE', 'NODE_ENV', 'NODE_OPTIONS'].includes(key)) continue;
    env[key] = value;
  }
  env.PATH = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((p) => p !== '' && !p.endsWith(`${sep}node_modules${sep}.bin`) && !p.endsWith('node-gyp-bin'))
    .join(delimiter);
  return env;
}

function npmrc(opts: WorkspaceOptions, registry: string, cacheDir: string, age: number): string {
  const url = new URL(registry);
  const lines = [`registry=${registry}`];
  if (opts.token !== undefined) lines.push(`//${url.host}${url.pathname}:_authToken=${opts.token}`);
  if (opts.client === 'npm11' || opts.client === 'npm12') {
    lines.push(`cache=${join(cacheDir, 'npm')}`, 'update-notifier=false', 'fund=false', 'audit=false', 'progress=false');
    // npm's unit is days; a fraction is fine (before = now - days * 86400000).
    if (age > 0) lines.push(`min-release-age=${age / 1440}`);
  }
  // yarn 1 reads always-auth from .npmrc only; npm would warn about the key, so only yarn 1 gets it.
  if (opts.client === 'yarn1') lines.push('always-auth=true');
  return lines.join('\n') + '\n';
}

interface ConfigInput {
  root: string;
  home: string;
  cacheDir: string;
  registry: string;
  age: number;
  token: string | undefined;
}

function clientConfigFiles(client: ClientName, c: ConfigInput): Record<string, string> {
  const pnpmDir = join(c.home, '.config', 'pnpm');
  switch (client) {
    case 'npm11':
    case 'npm12':
      return {};
    case 'pnpm10':
      return {
        [join(pnpmDir, 'rc')]: ini({
          'store-dir': join(c.cacheDir, 'pnpm-store'),
          'cache-dir': join(c.cacheDir, 'pnpm-cache'),
          'state-dir': join(c.home, '.local', 'state', 'pnpm'),
          'minimum-release-age': c.age,
          'update-notifier': false,
        }),
      };
    case 'pnpm12':
      return {
        [join(pnpmDir, 'config.yaml')]: yaml({
          storeDir: join(c.cacheDir, 'pnpm-store'),
          cacheDir: join(c.cacheDir, 'pnpm-cache'),
          stateDir: join(c.home, '.local', 'state', 'pnpm'),
          minimumReleaseAge: c.age, // minutes; pnpm 12's default is 1440
          minimumReleaseAgeStrict: c.age > 0,
          updateNotifier: false, // else install/add start with GET /pnpm on our registry
        }),
      };
    case 'yarn1':
      return {
        [join(c.home, '.yarnrc')]: [
          `registry "${c.registry}"`,
          `cache-folder "${join(c.cacheDir, 'yarn1')}"`,
          `global-folder "${join(c.root, 'global', 'yarn1')}"`,
          `prefix "${join(c.root, 'global')}"`,
          'disable-self-update-check true',
          '',
        ].join('\n'),
      };
    case 'yarn4': {
      const host = new URL(c.registry).hostname;
      return {
        [join(c.home, '.yarnrc.yml')]: yaml({
          npmRegistryServer: c.registry.replace(/\/$/, ''),
          ...(c.token === undefined ? {} : { npmAuthToken: c.token }),
          npmAlwaysAuth: c.token !== undefined,
          unsafeHttpWhitelist: [...new Set([host, '127.0.0.1', 'localhost'])],
          nodeLinker: 'node-modules',
          npmMinimalAgeGate: c.age, // minutes; yarn's default is 1d
          enableTelemetry: false,
          enableGlobalCache: false,
          cacheFolder: join(c.cacheDir, 'yarn4'),
          globalFolder: join(c.root, 'global', 'yarn4'),
          enableImmutableInstalls: false, // CI=true would make it the default
          enableProgressBars: false,
          enableColors: false,
          enableHyperlinks: false,
        }),
      };
    }
  }
}

function ini(values: Record<string, string | number | boolean>): string {
  return Object.entries(values)
    .map(([k, v]) => `${k}=${String(v)}\n`)
    .join('');
}

function yaml(values: Record<string, string | number | boolean | string[]>): string {
  const scalar = (v: string | number | boolean) => (typeof v === 'string' ? JSON.stringify(v) : String(v));
  return Object.entries(values)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? `[${v.map(scalar).join(', ')}]` : scalar(v)}\n`)
    .join('');
}

export interface RunOptions {
  cwd?: string;
  /** Written to stdin, which is then closed; stdin is closed at once without it. */
  input?: string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

export interface RunningClient {
  child: ChildProcess;
  output(): { stdout: string; stderr: string };
  /** Resolves once stdout or stderr matches; rejects if the client exits first. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
  done: Promise<ClientResult>;
}

/** Starts a client and returns at once, for commands the test must interact with (web login). */
export function start(client: ClientName, args: string[], ws: Workspace, opts: RunOptions = {}): RunningClient {
  const [file, ...lead] = CLIENTS[client].command();
  if (file === undefined) throw new Error(`no command for ${client}`);
  const env = { ...ws.env, PATH: [dirname(CLIENTS[client].node), ws.env.PATH].join(delimiter), ...opts.env };
  const label = `${client} ${args.join(' ')}`;
  const started = Date.now();
  // detached: its own process group, so a timeout also ends the scripts it spawned
  const child = spawn(file, [...lead, ...args], { cwd: opts.cwd ?? ws.dir, env, stdio: 'pipe', detached: true });
  const out = { stdout: '', stderr: '' };
  const listeners = new Set<() => void>();
  const notify = () => listeners.forEach((listener) => listener());
  for (const stream of ['stdout', 'stderr'] as const) {
    child[stream].setEncoding('utf8').on('data', (chunk: string) => {
      out[stream] += chunk;
      notify();
    });
  }
  child.stdin.on('error', () => {}); // a client that exits before reading stdin is not an error here
  child.stdin.end(opts.input ?? '');

  const timeoutMs = opts.timeoutMs ?? 180_000;
  let timedOut = false;
  let closed = false; // 'close' comes after the last output chunk, unlike 'exit'
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // the group is already gone
    }
  }, timeoutMs);
  const done = new Promise<ClientResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      closed = true;
      notify();
      const result = { code: code ?? 128, ...out, durationMs: Date.now() - started };
      if (timedOut) reject(new RunError(`${label} timed out after ${timeoutMs} ms`, result));
      else if (signal !== null) reject(new RunError(`${label} was killed by ${signal}`, result));
      else resolve(result);
    });
  });
  const waitFor = (pattern: RegExp) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const match = out.stdout.match(pattern) ?? out.stderr.match(pattern);
        if (!match && !closed) return;
        listeners.delete(check);
        if (match) resolve(match);
        else
          reject(
            new RunError(`${label} exited before printing ${pattern}`, {
              code: child.exitCode ?? 128,
              ...out,
              durationMs: Date.now() - started,
            }),
          );
      };
      listeners.add(check);
      check();
    });
  return { child, output: () => ({ ...out }), waitFor, done };
}

export class RunError extends Error {
  constructor(
    message: string,
    readonly result: ClientResult,
  ) {
    super(`${message}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`);
  }
}

export function run(client: ClientName, args: string[], ws: Workspace, opts?: RunOptions): Promise<ClientResult> {
  return start(client, args, ws, opts).done;
}

export async function runOk(client: ClientName, args: string[], ws: Workspace, opts?: RunOptions): Promise<ClientResult> {
  const result = await run(client, args, ws, opts);
  if (result.code !== 0) throw new RunError(`${client} ${args.join(' ')} exited with ${result.code}`, result);
  return result;
}

/** The install command; every mode is spelled out because CI=true changes pnpm's and yarn 4's defaults. */
export function installCommand(client: ClientName, frozen: boolean): string[] {
  switch (client) {
    case 'npm11':
    case 'npm12':
      return frozen ? ['ci'] : ['install'];
    case 'pnpm10':
    case 'pnpm12':
      return ['install', frozen ? '--frozen-lockfile' : '--no-frozen-lockfile'];
    case 'yarn1':
      return frozen ? ['install', '--frozen-lockfile', '--non-interactive'] : ['install', '--non-interactive'];
    case 'yarn4':
      return ['install', frozen ? '--immutable' : '--no-immutable'];
  }
}
