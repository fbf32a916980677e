// `gatehouse install` (the compiled CLI) against a test Gatehouse, next to the stock npm 12: a real
// tree (scoped packages, peer, optional and bundled dependencies, bins, a nested duplicate version,
// a `file:` link) locked by npm, installed by `npm ci` in one folder and by gatehouse in another, and
// the two node_modules compared file for file; then what must leave the previous node_modules as
// it was: a tampered blob, a refused tarball, a registry that is down, Ctrl-C during a script, a
// version younger than min-release-age.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageBuilder, type PackageBuilder } from '../fixtures/package-builder.js';
import { assertBuilt, CLI } from '../reliability/server-process.js';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { until } from '../support/wait.js';
import { createWorkspace, removeWorkspace, runOk, skipWithout, type Workspace } from './clients.js';

interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The compiled CLI; `started` sees the child as soon as it runs. */
function gatehouse(args: string[], ws: Workspace, started?: (pid: number) => void): Promise<Result> {
  assertBuilt();
  const child = spawn(process.execPath, [CLI, 'install', ...args], {
    cwd: ws.dir,
    env: ws.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out.stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (out.stderr += c));
  if (child.pid !== undefined) started?.(child.pid);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, ...out }));
  });
}

async function installOk(args: string[], ws: Workspace): Promise<Result> {
  const result = await gatehouse(args, ws);
  if (result.code !== 0) throw new Error(`gatehouse install exited with ${result.code}\n${result.stdout}\n${result.stderr}`);
  return result;
}

/**
 * Everything under a node_modules folder: type, permission bits, contents (sha1) or link target.
 * Nothing is excluded: npm 12 keeps its cache outside (the workspace's cache folder), and the
 * hidden lockfile is compared parsed, since both tools write it from the same lockfile entries.
 */
function tree(root: string, rel = '', out = new Map<string, string>()): Map<string, string> {
  if (!existsSync(root)) return out;
  for (const name of readdirSync(join(root, rel)).sort()) {
    const path = rel ? `${rel}/${name}` : name;
    const st = lstatSync(join(root, path));
    const mode = (st.mode & 0o777).toString(8);
    if (st.isSymbolicLink()) out.set(path, `symlink -> ${readlinkSync(join(root, path))}`);
    else if (st.isDirectory()) {
      out.set(path, `dir ${mode}`);
      tree(root, path, out);
    } else if (path === '.package-lock.json') out.set(path, JSON.stringify(JSON.parse(readFileSync(join(root, path), 'utf8'))));
    else
      out.set(
        path,
        `file ${mode} ${createHash('sha1')
          .update(readFileSync(join(root, path)))
          .digest('hex')}`,
      );
  }
  return out;
}

const nodeModules = (ws: Workspace) => tree(join(ws.dir, 'node_modules'));
const staleFolders = (ws: Workspace) => readdirSync(ws.dir).filter((n) => n.startsWith('.gatehouse-'));

function tarballOf(builder: PackageBuilder): Buffer {
  return builder.tarball();
}

const sri = (bytes: Buffer) => `sha512-${createHash('sha512').update(bytes).digest('base64')}`;

/** A local server for tarballs a test crafts: `hold` makes a request wait until the test ends. */
async function tarballServer(files: Record<string, Buffer>, requests: string[]): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const body = files[req.url ?? ''];
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** Forwards to the registry and counts what reaches it. */
async function countingProxy(target: string, requests: string[]): Promise<{ url: string; server: Server }> {
  const to = new URL(target);
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const upstream = request(
      { host: to.hostname, port: to.port, path: req.url, method: req.method, headers: { ...req.headers, host: to.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const MARKER_SCRIPT =
  "node -e \"require('fs').writeFileSync(require('path').join(process.env.INIT_CWD, 'marker-' + process.env.npm_package_name + '-' + process.env.npm_lifecycle_event), process.env.npm_package_version)\"";

const tamperTarget = () => packageBuilder('gh-tamper', '1.0.0').file('index.js', 'module.exports = "tamper";\n');

function fixtures(): PackageBuilder[] {
  const js = (name: string) => `module.exports = ${JSON.stringify(name)};\n`;
  return [
    tamperTarget(),
    packageBuilder('gh-util', '1.0.0').file('index.js', js('util 1')),
    packageBuilder('gh-util', '2.0.0').file('index.js', js('util 2')),
    packageBuilder('gh-lib', '1.0.0').file('index.js', js('lib')).dependency('gh-util', '^1.0.0'),
    packageBuilder('@gh-scope/tool', '1.0.0')
      .packageJson({ bin: { 'gh-tool': 'cli.js' } })
      .rawEntry({ name: 'package/cli.js', body: '#!/usr/bin/env node\r\nconsole.log("tool");\r\n' }),
    packageBuilder('@gh-scope/str', '1.0.0')
      .packageJson({ bin: 'bin/run.js' })
      .file('bin/run.js', '#!/usr/bin/env node\nconsole.log("str");\n'),
    packageBuilder('gh-host', '1.0.0').file('index.js', js('host')),
    packageBuilder('gh-plugin', '1.0.0')
      .file('index.js', js('plugin'))
      .packageJson({ peerDependencies: { 'gh-host': '^1.0.0' } }),
    packageBuilder('gh-native-win32', '1.0.0')
      .file('index.js', js('win32'))
      .packageJson({ os: ['win32'] }),
    packageBuilder('gh-native-linux', '1.0.0')
      .file('index.js', js('linux'))
      .packageJson({ os: ['linux'] }),
    packageBuilder('gh-native', '1.0.0')
      .file('index.js', js('native'))
      .packageJson({ optionalDependencies: { 'gh-native-win32': '1.0.0', 'gh-native-linux': '1.0.0', 'gh-flaky': '1.0.0' } }),
    packageBuilder('gh-flaky', '1.0.0')
      .file('index.js', js('flaky'))
      .packageJson({ bin: { 'gh-flaky': 'index.js' }, scripts: { postinstall: 'echo the build broke >&2; exit 3' } }),
    packageBuilder('gh-bundled', '1.0.0').file('index.js', js('bundled (registry copy)')),
    packageBuilder('gh-bundler', '1.0.0')
      .file('index.js', js('bundler'))
      .dependency('gh-bundled', '1.0.0')
      .packageJson({ bundleDependencies: ['gh-bundled'] })
      .rawEntry({ name: 'package/node_modules/gh-bundled/package.json', body: '{"name":"gh-bundled","version":"1.0.0"}\n' })
      .rawEntry({ name: 'package/node_modules/gh-bundled/index.js', body: js('bundled (inside the tarball)') }),
    packageBuilder('gh-postinstall', '1.0.0')
      .file('index.js', js('postinstall'))
      .packageJson({ scripts: { postinstall: MARKER_SCRIPT } }),
    packageBuilder('gh-modes', '1.0.0')
      .file('index.js', js('modes'))
      .rawEntry({ name: 'package/tools/run.sh', body: '#!/bin/sh\necho run\n', mode: 0o755 })
      .rawEntry({ name: 'package/.gitignore', body: 'build/\n' }),
    packageBuilder('gh-devtool', '1.0.0')
      .file('index.js', js('devtool'))
      .packageJson({ bin: { 'gh-devtool': 'index.js' } }),
    packageBuilder('gh-slow', '1.0.0')
      .file('index.js', js('slow'))
      .packageJson({
        scripts: { postinstall: "node -e \"require('fs').writeFileSync('started', ''); setTimeout(() => {}, 60000)\"" },
      }),
  ];
}

// npm 12 reads a bundling package's tarball while locking and takes a 127.0.0.1 tarball URL for a remote one.
const ALLOW_REMOTE = 'allow-remote=all';

const APP_DEPENDENCIES = {
  'gh-util': '^2.0.0',
  'gh-lib': '1.0.0',
  '@gh-scope/tool': '1.0.0',
  '@gh-scope/str': '1.0.0',
  'gh-plugin': '1.0.0',
  'gh-native': '1.0.0',
  'gh-bundler': '1.0.0',
  'gh-postinstall': '1.0.0',
  'gh-modes': '1.0.0',
  'local-pkg': 'file:local-pkg',
};

for (const engine of ENGINES) {
  describe.skipIf(skipWithout('npm12'))(`gatehouse install (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    let project: string;
    const workspaces: Workspace[] = [];
    const servers: Server[] = [];

    /** A workspace holding the locked project (package.json, lockfile, the local package). */
    async function copyOfProject(extra: Record<string, unknown> = {}): Promise<Workspace> {
      const ws = await createWorkspace({ registry: r.url, token: alice.token, client: 'npm12', extraNpmrc: ALLOW_REMOTE });
      workspaces.push(ws);
      await cp(project, ws.dir, { recursive: true });
      if (Object.keys(extra).length) {
        const pkg = JSON.parse(await readFile(join(ws.dir, 'package.json'), 'utf8')) as Record<string, unknown>;
        await writeFile(join(ws.dir, 'package.json'), JSON.stringify({ ...pkg, ...extra }, null, 2) + '\n');
      }
      return ws;
    }

    /** A project whose lockfile the test writes by hand. */
    async function handLocked(packages: Record<string, unknown>): Promise<Workspace> {
      const ws = await createWorkspace({ registry: r.url, token: alice.token, client: 'npm12', extraNpmrc: ALLOW_REMOTE });
      workspaces.push(ws);
      const deps = Object.fromEntries(
        Object.entries(packages).map(([path, e]) => [path.slice(13), (e as { version: string }).version]),
      );
      await writeFile(
        join(ws.dir, 'package.json'),
        JSON.stringify({ name: 'hand', version: '1.0.0', dependencies: deps }) + '\n',
      );
      const lock = {
        name: 'hand',
        version: '1.0.0',
        lockfileVersion: 3,
        requires: true,
        packages: { '': { name: 'hand', version: '1.0.0', dependencies: deps }, ...packages },
      };
      await writeFile(join(ws.dir, 'package-lock.json'), JSON.stringify(lock, null, 2) + '\n');
      return ws;
    }

    /** A previous install to be kept: the locked project, installed, plus a file to recognise it by. */
    async function previouslyInstalled(
      extra: Record<string, unknown> = {},
    ): Promise<{ ws: Workspace; before: Map<string, string> }> {
      const ws = await copyOfProject(extra);
      await installOk([], ws);
      await writeFile(join(ws.dir, 'node_modules', 'previous-install'), 'kept\n');
      return { ws, before: nodeModules(ws) };
    }

    beforeAll(async () => {
      r = await startRegistry(engine, { listen: true, config: { typosquatPolicy: 'off' } });
      alice = await r.createUser('alice');
      for (const builder of fixtures()) {
        const res = await r.publish(alice, builder);
        expect(res.statusCode, `${builder.name}@${builder.version}: ${res.body}`).toBe(201);
      }
      const ws = await createWorkspace({ registry: r.url, token: alice.token, client: 'npm12', extraNpmrc: ALLOW_REMOTE });
      workspaces.push(ws);
      project = ws.dir;
      await mkdir(join(project, 'local-pkg'));
      await writeFile(
        join(project, 'local-pkg', 'package.json'),
        JSON.stringify({ name: 'local-pkg', version: '1.0.0', bin: { 'local-bin': 'bin.js' } }),
      );
      await writeFile(join(project, 'local-pkg', 'bin.js'), '#!/usr/bin/env node\n');
      const manifest = {
        name: 'app',
        version: '1.0.0',
        private: true,
        dependencies: APP_DEPENDENCIES,
        devDependencies: { 'gh-devtool': '1.0.0' },
      };
      await writeFile(join(project, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
      await runOk('npm12', ['install', '--package-lock-only'], ws);
    });
    afterAll(async () => {
      for (const server of servers) server.close();
      await Promise.all(workspaces.map(removeWorkspace));
      await r?.close();
    });

    it('lays out node_modules file for file as npm ci does, and npm ls accepts it', async () => {
      const npmWs = await copyOfProject();
      await runOk('npm12', ['ci'], npmWs);
      const ours = await copyOfProject();
      const result = await installOk([], ours);
      expect(result.stdout).toMatch(/^added \d+ packages in \d+\.\d s$/m);

      const expected = nodeModules(npmWs);
      // the tree really has what it is meant to test
      expect(expected.get('gh-lib/node_modules/gh-util')).toBe('dir 755');
      expect(expected.get('.bin/gh-tool')).toBe('symlink -> ../@gh-scope/tool/cli.js');
      expect(expected.get('.bin/str')).toBe('symlink -> ../@gh-scope/str/bin/run.js');
      expect(expected.get('local-pkg')).toBe('symlink -> ../local-pkg');
      expect(expected.get('gh-bundler/node_modules/gh-bundled/index.js')).toMatch(/^file 644 /);
      expect(expected.get('gh-modes/tools/run.sh')).toMatch(/^file 755 /);
      expect(expected.get('gh-modes/.npmignore')).toMatch(/^file 644 /);
      expect(expected.has('gh-native-linux')).toBe(true);
      expect(expected.has('gh-native-win32')).toBe(false);
      expect(expected.has('gh-host')).toBe(true);
      expect(nodeModules(ours)).toEqual(expected);
      expect(readFileSync(join(ours.dir, 'node_modules/@gh-scope/tool/cli.js'), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);

      await runOk('npm12', ['ls', '--all'], ours);
      // and npm ci over it still works
      await runOk('npm12', ['ci'], ours);
    });

    it('--omit=dev leaves the dev dependency and its bin out, as npm ci --omit=dev does', async () => {
      const npmWs = await copyOfProject();
      await runOk('npm12', ['ci', '--omit=dev'], npmWs);
      const ours = await copyOfProject();
      await installOk(['--omit=dev'], ours);
      expect(nodeModules(npmWs).has('gh-devtool')).toBe(false);
      expect(nodeModules(ours)).toEqual(nodeModules(npmWs));
    });

    it('runs a postinstall only when allowScripts allows it, and says how to allow it', async () => {
      const blocked = await copyOfProject();
      const first = await installOk([], blocked);
      expect(existsSync(join(blocked.dir, 'marker-gh-postinstall-postinstall'))).toBe(false);
      expect(first.stderr).toContain('gh-postinstall@1.0.0 (postinstall:');
      expect(first.stderr).toContain('gh-flaky@1.0.0 (postinstall:');
      // the hint names the first package listed
      expect(first.stderr).toMatch(
        /To run them, add the packages to "allowScripts" in package\.json, e\.g\. "allowScripts": \{ "gh-flaky": true \}/,
      );

      const allowed = await copyOfProject({ allowScripts: { 'gh-postinstall': true } });
      await installOk([], allowed);
      expect(readFileSync(join(allowed.dir, 'marker-gh-postinstall-postinstall'), 'utf8')).toBe('1.0.0');

      const otherVersion = await copyOfProject({ allowScripts: { 'gh-postinstall@0.9.0': true } });
      await installOk([], otherVersion);
      expect(existsSync(join(otherVersion.dir, 'marker-gh-postinstall-postinstall'))).toBe(false);
    });

    it('an allowed optional package whose postinstall fails is removed and the install goes on, as with npm ci', async () => {
      const policy = { allowScripts: { 'gh-flaky': true } };
      const npmWs = await copyOfProject(policy);
      await runOk('npm12', ['ci'], npmWs);
      const ours = await copyOfProject(policy);
      const result = await installOk([], ours);
      expect(result.stderr).toMatch(/warning: the postinstall script of optional gh-flaky@1\.0\.0 exited with 3; removed it/);
      expect(result.stderr).toContain('the build broke');
      const expected = nodeModules(npmWs);
      expect(expected.has('gh-flaky')).toBe(false);
      expect(nodeModules(ours)).toEqual(expected);
    });

    it('a tampered tarball in the blob store fails naming both digests and leaves node_modules untouched', async () => {
      // Published for this test only and never read before: the registry keeps small tarballs it has served in memory.
      const tgz = tamperTarget().tarball();
      const pinned = sri(tgz);
      const ws = await handLocked({
        'node_modules/gh-tamper': { version: '1.0.0', resolved: `${r.url}/gh-tamper/-/gh-tamper-1.0.0.tgz`, integrity: pinned },
      });
      await mkdir(join(ws.dir, 'node_modules', 'gh-old'), { recursive: true });
      await writeFile(join(ws.dir, 'node_modules', 'gh-old', 'index.js'), 'kept\n');
      const before = nodeModules(ws);
      const hex = createHash('sha512').update(tgz).digest('hex');
      const blob = join(r.registry.config.dataDir, 'blobs', hex.slice(0, 2), hex.slice(2, 4), hex);
      const tampered = Buffer.from(await readFile(blob));
      tampered[tampered.length - 10] = (tampered[tampered.length - 10] as number) ^ 0xff;
      await writeFile(blob, tampered);
      const result = await gatehouse([], ws);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('Integrity check failed for gh-tamper@1.0.0 (node_modules/gh-tamper)');
      expect(result.stderr).toContain(`the lockfile pins ${pinned}`);
      expect(result.stderr).toContain(`has ${sri(tampered)}`);
      expect(nodeModules(ws)).toEqual(before);
      expect(staleFolders(ws)).toEqual([]);
    });

    it('refuses a tarball that climbs out of its folder and one whose link leaves the package', async () => {
      const requests: string[] = [];
      const climbing = tarballOf(packageBuilder('evil', '1.0.0').rawEntry({ name: 'package/../../escaped.js', body: 'x' }));
      const linking = tarballOf(
        packageBuilder('evil-link', '1.0.0').rawEntry({ name: 'package/l', type: 'symlink', linkname: '../../../etc' }),
      );
      const { url, server } = await tarballServer({ '/evil-1.0.0.tgz': climbing, '/evil-link-1.0.0.tgz': linking }, requests);
      servers.push(server);
      for (const [name, bytes, message] of [
        ['evil', climbing, /Refused evil@1\.0\.0 \(node_modules\/evil\): .*"\.\."/],
        ['evil-link', linking, /Refused evil-link@1\.0\.0 \(node_modules\/evil-link\): .*points outside the package/],
      ] as const) {
        const ws = await handLocked({
          [`node_modules/${name}`]: { version: '1.0.0', resolved: `${url}/${name}-1.0.0.tgz`, integrity: sri(bytes) },
        });
        await mkdir(join(ws.dir, 'node_modules'));
        await writeFile(join(ws.dir, 'node_modules', 'previous-install'), 'kept\n');
        const before = nodeModules(ws);
        const result = await gatehouse([], ws);
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(message);
        expect(nodeModules(ws)).toEqual(before);
        expect(staleFolders(ws)).toEqual([]);
        expect(existsSync(join(ws.dir, 'escaped.js'))).toBe(false);
      }
      expect(requests).toEqual(['/evil-1.0.0.tgz', '/evil-link-1.0.0.tgz']);
    });

    it('a registry that is down: retries, then a clear error, previous node_modules intact', async () => {
      const { ws, before } = await previouslyInstalled();
      const dead = await tarballServer({}, []);
      await new Promise((resolve) => dead.server.close(resolve));
      const lockFile = join(ws.dir, 'package-lock.json');
      await writeFile(lockFile, (await readFile(lockFile, 'utf8')).replaceAll(r.url, dead.url));
      const result = await gatehouse(['--cache', join(ws.cacheDir, 'empty')], ws);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/retrying: GET http:\/\/127\.0\.0\.1:\d+\/.*ECONNREFUSED, retrying in \d+ s/);
      expect(result.stderr).toMatch(new RegExp(`Cannot reach ${dead.url} \\(ECONNREFUSED\\) after 4 attempts`));
      expect(nodeModules(ws)).toEqual(before);
      expect(staleFolders(ws)).toEqual([]);
    });

    it('Ctrl-C while an install script runs puts the previous node_modules back and leaves no staging folder', async () => {
      const { ws } = await previouslyInstalled();
      const pkg = JSON.parse(await readFile(join(ws.dir, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
      await writeFile(
        join(ws.dir, 'package.json'),
        JSON.stringify({ ...pkg, dependencies: { ...pkg.dependencies, 'gh-slow': '1.0.0' }, allowScripts: { 'gh-slow': true } }),
      );
      await runOk('npm12', ['install', '--package-lock-only'], ws);
      const before = nodeModules(ws); // npm rewrote node_modules/.package-lock.json too
      let pid = 0;
      const done = gatehouse([], ws, (p) => (pid = p));
      await until('the slow postinstall started', () => existsSync(join(ws.dir, 'node_modules', 'gh-slow', 'started')), 60_000);
      // the new tree is in place at this point: the interrupt has to undo the swap
      expect(existsSync(join(ws.dir, 'node_modules', 'previous-install'))).toBe(false);
      process.kill(pid, 'SIGINT');
      const result = await done;
      expect(result.code).toBe(130);
      expect(result.stderr).toContain('Interrupted: the previous node_modules was left as it was.');
      expect(nodeModules(ws)).toEqual(before);
      expect(staleFolders(ws)).toEqual([]);
    });

    it('refuses a lockfile pinning a version younger than min-release-age, unless the package is excluded', async () => {
      const ws = await copyOfProject();
      await writeFile(join(ws.dir, '.npmrc'), 'min-release-age=3\n');
      const result = await gatehouse([], ws);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/younger than min-release-age=3 \(days, set in .*\.npmrc\)/);
      expect(result.stderr).toMatch(/gh-lib@1\.0\.0 was published \d+ minutes ago \(\d{4}-\d\d-\d\dT/);
      expect(existsSync(join(ws.dir, 'node_modules'))).toBe(false);

      await writeFile(
        join(ws.dir, '.npmrc'),
        'min-release-age=3\nmin-release-age-exclude[]=gh-*\nmin-release-age-exclude[]=@gh-scope/*\n',
      );
      await installOk([], ws);
    });

    it('a warm cache makes no request but the advisory check; a cold one fetches each tarball once', async () => {
      const requests: string[] = [];
      const proxy = await countingProxy(r.url, requests);
      servers.push(proxy.server);
      const ws = await copyOfProject();
      const lockFile = join(ws.dir, 'package-lock.json');
      await writeFile(lockFile, (await readFile(lockFile, 'utf8')).replaceAll(r.url, proxy.url));
      const cache = join(ws.cacheDir, 'warm');
      await installOk(['--cache', cache, '--registry', proxy.url], ws);
      const lock = JSON.parse(await readFile(lockFile, 'utf8')) as {
        packages: Record<string, { resolved?: string; link?: boolean }>;
      };
      const tarballs = Object.values(lock.packages).filter((p) => p.resolved?.startsWith(proxy.url)).length - 1; // gh-native-win32 is skipped
      expect(requests.filter((line) => line.endsWith('.tgz'))).toHaveLength(tarballs);
      requests.length = 0;
      await rm(join(ws.dir, 'node_modules'), { recursive: true });
      await installOk(['--cache', cache, '--registry', proxy.url], ws);
      // advisories change between runs, so the vulnerability check asks each time (--no-audit skips it)
      expect(requests).toEqual(['POST /-/npm/v1/security/advisories/bulk']);
      expect(existsSync(join(ws.dir, 'node_modules', 'gh-lib', 'index.js'))).toBe(true);
    });

    it('without a lockfile resolves package.json like npm, writes a v3 lockfile npm ci accepts, and installs from it', async () => {
      const ours = await copyOfProject();
      await rm(join(ours.dir, 'package-lock.json'));
      const result = await installOk([], ours);
      expect(result.stdout).toContain('wrote package-lock.json');
      const written = JSON.parse(await readFile(join(ours.dir, 'package-lock.json'), 'utf8')) as {
        lockfileVersion: number;
        packages: Record<string, { version?: string }>;
      };
      expect(written.lockfileVersion).toBe(3);
      expect(written.packages['node_modules/gh-util']?.version).toBe('2.0.0');
      expect(written.packages['node_modules/gh-lib/node_modules/gh-util']?.version).toBe('1.0.0');

      const npmWs = await copyOfProject();
      await cp(join(ours.dir, 'package-lock.json'), join(npmWs.dir, 'package-lock.json'));
      await runOk('npm12', ['ci'], npmWs);
      expect(nodeModules(ours)).toEqual(nodeModules(npmWs));
    });

    it('without a lockfile, min-release-age keeps versions younger than it from being chosen', async () => {
      const ws = await copyOfProject();
      await rm(join(ws.dir, 'package-lock.json'));
      await writeFile(join(ws.dir, '.npmrc'), 'min-release-age=3\n');
      const result = await gatehouse([], ws);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/Cannot resolve package\.json \(ETARGET\)/);
      expect(existsSync(join(ws.dir, 'package-lock.json'))).toBe(false);
      expect(existsSync(join(ws.dir, 'node_modules'))).toBe(false);
    });

    it('reads npm-shrinkwrap.json in place of package-lock.json, as npm does', async () => {
      const ws = await copyOfProject();
      const lock = await readFile(join(ws.dir, 'package-lock.json'), 'utf8');
      await writeFile(join(ws.dir, 'npm-shrinkwrap.json'), lock);
      await writeFile(join(ws.dir, 'package-lock.json'), '{ not a lockfile');
      await installOk([], ws);
      expect(readFileSync(join(ws.dir, 'node_modules', 'gh-lib', 'node_modules', 'gh-util', 'index.js'), 'utf8')).toContain(
        'util 1',
      );
    });

    it('a corrupt lockfile is named with its line and column', async () => {
      const ws = await copyOfProject();
      const lockFile = join(ws.dir, 'package-lock.json');
      await writeFile(lockFile, (await readFile(lockFile, 'utf8')).replace('"lockfileVersion": 3,', '"lockfileVersion": 3,,'));
      const result = await gatehouse([], ws);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/package-lock\.json:\d+:\d+: not valid JSON/);
      expect(existsSync(join(ws.dir, 'node_modules'))).toBe(false);
    });
  });
}
