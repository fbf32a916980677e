// Every supported client publishes to Gatehouse, then every client installs one dependency tree made
// of those packages, each from an empty cache, on both database engines. The lockfiles must pin
// exactly the bytes the registry serves: their integrity is compared with a hash of each tarball.
import { createHash } from 'node:crypto';
import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import {
  ALL_CLIENTS,
  createWorkspace,
  installCommand,
  removeWorkspace,
  runOk,
  skipWithout,
  type ClientName,
  type Workspace,
} from './clients.js';
import { installedTree, lockedPackages, lockfileIntegrities } from './lockfiles.js';
import { writeConsumer, writeProject, type ProjectSpec } from './fixtures/projects.js';

type Publisher = 'npm11' | 'npm12' | 'pnpm12' | 'yarn1' | 'yarn4';

// e2e-base is there twice: @e2e/pnpm12 pins 1.0.0 while everything else takes ^1 (1.1.0), so
// every client has to lay out two versions of one name. Scoped and unscoped names depend on each other.
const BY_NPM11: ProjectSpec[] = [
  { name: 'e2e-base', version: '1.0.0' },
  { name: 'e2e-base', version: '1.1.0' },
  { name: '@e2e/util', version: '1.0.0', dependencies: { 'e2e-base': '^1.1.0' } },
];
const BY_OTHERS: Record<Exclude<Publisher, 'npm11'>, ProjectSpec> = {
  npm12: { name: 'e2e-npm12', version: '1.0.0', dependencies: { '@e2e/util': '^1.0.0' } },
  pnpm12: { name: '@e2e/pnpm12', version: '1.0.0', dependencies: { 'e2e-base': '1.0.0' } },
  yarn1: { name: 'e2e-yarn1', version: '1.0.0', dependencies: { '@e2e/util': '^1.0.0' } },
  yarn4: { name: '@e2e/yarn4', version: '1.0.0', dependencies: { 'e2e-base': '^1.0.0' } },
};

const PUBLISH_ARGS: Record<Publisher, string[]> = {
  npm11: ['publish'],
  npm12: ['publish'],
  pnpm12: ['publish', '--no-git-checks'],
  // the version comes from package.json; --non-interactive stops yarn 1 asking for a new one
  yarn1: ['publish', '--non-interactive'],
  // yarn 4 publishes a scoped package as restricted unless told: this one is for everyone to install.
  yarn4: ['npm', 'publish', '--access', 'public'],
};

/** The line each client prints once the registry accepted the upload. */
function publishedLine(client: Publisher, spec: ProjectSpec): RegExp {
  const id = `${spec.name}@${spec.version}`.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  switch (client) {
    case 'npm11':
    case 'npm12':
      return new RegExp(`^\\+ ${id}$`, 'm');
    case 'pnpm12':
      return new RegExp(`Published package ${id}`);
    case 'yarn1':
      return /^success Published\.$/m;
    case 'yarn4':
      return /Package archive published/;
  }
}

const CONSUMER_DEPENDENCIES = {
  'e2e-base': '^1.0.0',
  'e2e-npm12': '^1.0.0',
  '@e2e/pnpm12': '^1.0.0',
  'e2e-yarn1': '^1.0.0',
  '@e2e/yarn4': '^1.0.0',
};
const EXPECTED_TREE = {
  '@e2e/pnpm12': '1.0.0',
  '@e2e/util': '1.0.0',
  '@e2e/yarn4': '1.0.0',
  'e2e-base': '1.0.0, 1.1.0',
  'e2e-npm12': '1.0.0',
  'e2e-yarn1': '1.0.0',
};
const EXPECTED_LOCKED = [
  '@e2e/pnpm12@1.0.0',
  '@e2e/util@1.0.0',
  '@e2e/yarn4@1.0.0',
  'e2e-base@1.0.0',
  'e2e-base@1.1.0',
  'e2e-npm12@1.0.0',
  'e2e-yarn1@1.0.0',
];

interface PackumentVersion {
  _npmUser?: { name: string };
  dependencies?: Record<string, string>;
  dist: { integrity: string; tarball: string };
}

function sha512(bytes: Buffer): string {
  return `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
}

for (const engine of ENGINES) {
  // every client installs what every other published, so one missing client skips the whole file
  describe.skipIf(skipWithout(...ALL_CLIENTS))(`publish with every client, install with every client (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    const workspaces: Workspace[] = [];
    const installs = new Map<ClientName, Workspace>();

    beforeAll(async () => {
      r = await startRegistry(engine, { listen: true });
      alice = await r.createUser('alice');
    });
    afterAll(async () => {
      await Promise.all(workspaces.map(removeWorkspace));
      await r?.close();
    });

    async function workspace(client: ClientName, token?: string): Promise<Workspace> {
      const ws = await createWorkspace({ registry: r.url, client, ...(token !== undefined && { token }) });
      workspaces.push(ws);
      return ws;
    }

    async function version(name: string, v: string): Promise<PackumentVersion> {
      const res = await fetch(`${r.url}/${name.replace('/', '%2f')}`);
      expect(res.status, `GET ${name}`).toBe(200);
      const doc = (await res.json()) as { versions: Record<string, PackumentVersion> };
      const found = doc.versions[v];
      if (!found) throw new Error(`${name}@${v} is not in the packument`);
      return found;
    }

    async function servedBytes(url: string): Promise<Buffer> {
      const res = await fetch(url);
      expect(res.status, `GET ${url}`).toBe(200);
      return Buffer.from(await res.arrayBuffer());
    }

    /** The registry lists the version as alice's, with its dependencies and the hash of what it serves. */
    async function expectPublished(spec: ProjectSpec) {
      const v = await version(spec.name, spec.version);
      expect(v._npmUser?.name).toBe('alice');
      expect(v.dependencies ?? {}).toEqual(spec.dependencies ?? {});
      expect(v.dist.integrity).toBe(sha512(await servedBytes(v.dist.tarball)));
    }

    it('npm 11 publishes unscoped and scoped packages that depend on each other', async () => {
      const ws = await workspace('npm11', alice.token);
      for (const spec of BY_NPM11) {
        const dir = await writeProject(join(ws.dir, `${spec.name.replace('/', '+')}-${spec.version}`), spec);
        const { stdout } = await runOk('npm11', PUBLISH_ARGS.npm11, ws, { cwd: dir });
        expect(stdout).toMatch(publishedLine('npm11', spec));
        await expectPublished(spec);
      }
      const tags = await (await fetch(`${r.url}/-/package/e2e-base/dist-tags`)).json();
      expect(tags).toEqual({ latest: '1.1.0' });
    });

    for (const client of ['npm12', 'pnpm12', 'yarn1', 'yarn4'] as const) {
      it(`${client} publishes, and the registry accepts its publish body`, async () => {
        const spec = BY_OTHERS[client];
        const ws = await workspace(client, alice.token);
        await writeProject(ws.dir, spec);
        // yarn 4 packs only a project it has installed (it resolves the dependencies first)
        if (client === 'yarn4') await runOk(client, installCommand(client, false), ws);
        const { stdout } = await runOk(client, PUBLISH_ARGS[client], ws);
        expect(stdout).toMatch(publishedLine(client, spec));
        await expectPublished(spec);
      });
    }

    for (const client of ALL_CLIENTS) {
      it(`${client} installs the tree from an empty cache, and its lockfile pins the served bytes`, async () => {
        const ws = await workspace(client);
        installs.set(client, ws);
        await writeConsumer(ws.dir, CONSUMER_DEPENDENCIES);
        await runOk(client, installCommand(client, false), ws);

        expect(Object.fromEntries(installedTree(ws.dir))).toEqual(EXPECTED_TREE);
        const locked = lockedPackages(client, ws.dir);
        expect(locked.map((p) => `${p.name}@${p.version}`).sort()).toEqual(EXPECTED_LOCKED);
        const integrities = lockfileIntegrities(client, ws.dir);
        // yarn 4's lockfile hashes its own zip of each package, never the tarball (see clients.ts)
        expect(integrities.size).toBe(client === 'yarn4' ? 0 : EXPECTED_LOCKED.length);
        for (const p of locked) {
          if (p.integrity === undefined) continue;
          const url = p.resolved?.replace(/#.*$/, '') ?? (await version(p.name, p.version)).dist.tarball;
          expect(url.startsWith(`${r.url}/`), url).toBe(true);
          expect(p.integrity, `${p.name}@${p.version}`).toBe(sha512(await servedBytes(url)));
        }
      });
    }

    it('npm ci installs the same tree from npm install’s lockfile, with an empty cache', async () => {
      const source = installs.get('npm11');
      if (!source) throw new Error('the npm 11 install did not run');
      const ws = await workspace('npm11');
      for (const file of ['package.json', 'package-lock.json']) await copyFile(join(source.dir, file), join(ws.dir, file));
      const lockBefore = await readFile(join(ws.dir, 'package-lock.json'), 'utf8');
      await runOk('npm11', installCommand('npm11', true), ws);
      expect(Object.fromEntries(installedTree(ws.dir))).toEqual(EXPECTED_TREE);
      expect(await readFile(join(ws.dir, 'package-lock.json'), 'utf8')).toBe(lockBefore);
    });
  });
}
