// Stock npm 11 and npm 12 normalise bin, bundleDependencies and friends in the document they send;
// the registry serves these fields from the tarball instead. A real package with a string `bin`,
// `bundleDependencies: true`, os/cpu/engines must publish unrefused, be served as npm would, install.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { createWorkspace, removeWorkspace, runnable, runOk, type ClientName, type Workspace } from './clients.js';
import { writeConsumer, writeProject } from './fixtures/projects.js';

const PUBLISHERS: ClientName[] = runnable(['npm11', 'npm12']);

describe('npm 11 and npm 12 publish installer-facing fields the registry agrees with (sqlite)', () => {
  let r: TestRegistry;
  let alice: TestUser;
  const workspaces: Workspace[] = [];

  beforeAll(async () => {
    r = await startRegistry('sqlite', { listen: true });
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

  for (const client of PUBLISHERS) {
    it(`${client}: string bin, bundleDependencies: true, os, cpu, engines`, async () => {
      const name = `e2e-fields-${client}`;
      const ws = await workspace(client, alice.token);
      await writeProject(ws.dir, {
        name,
        version: '1.0.0',
        dependencies: { 'e2e-bundled': '1.0.0' },
        extra: {
          bin: './cli.js',
          bundleDependencies: true,
          os: [process.platform],
          cpu: [process.arch],
          engines: { node: '>=18' },
        },
      });
      await writeFile(join(ws.dir, 'cli.js'), '#!/usr/bin/env node\nconsole.log("fields");\n');
      const bundled = join(ws.dir, 'node_modules', 'e2e-bundled');
      await mkdir(bundled, { recursive: true });
      await writeFile(join(bundled, 'package.json'), '{"name":"e2e-bundled","version":"1.0.0"}\n');
      await writeFile(join(bundled, 'index.js'), 'module.exports = 1;\n');
      await runOk(client, ['publish'], ws);

      const doc = (await (await fetch(`${r.url}/${name}`)).json()) as { versions: Record<string, Record<string, unknown>> };
      const served = doc.versions['1.0.0']!;
      expect(served.bin).toEqual({ [name]: 'cli.js' });
      expect(served.bundleDependencies).toEqual(['e2e-bundled']);
      expect(served.os).toEqual([process.platform]);
      expect(served.cpu).toEqual([process.arch]);
      expect(served.engines).toEqual({ node: '>=18' });

      const consumer = await workspace('npm11');
      await writeConsumer(consumer.dir, { [name]: '1.0.0' });
      await runOk('npm11', ['install'], consumer);
      expect(existsSync(join(consumer.dir, 'node_modules', '.bin', name))).toBe(true);
      expect(existsSync(join(consumer.dir, 'node_modules', name, 'node_modules', 'e2e-bundled', 'index.js'))).toBe(true);
    });

    it(`${client}: a dependency listed in both dependencies and optionalDependencies`, async () => {
      // npm moves it out of "dependencies" in the document it sends (optionalDedupe); package.json keeps both.
      const name = `e2e-optional-${client}`;
      const ws = await workspace(client, alice.token);
      const both = { 'e2e-maybe': '^1.0.0' };
      await writeProject(ws.dir, { name, version: '1.0.0', dependencies: both, extra: { optionalDependencies: both } });
      await runOk(client, ['publish'], ws);
      const doc = (await (await fetch(`${r.url}/${name}`)).json()) as { versions: Record<string, Record<string, unknown>> };
      expect(doc.versions['1.0.0']!.optionalDependencies).toEqual(both);
    });
  }
});
