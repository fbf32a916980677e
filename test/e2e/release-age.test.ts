// Release-age gates read the publish time Gatehouse serves in the packument's `time`: a version
// published a moment ago is refused by pnpm 12 (minimumReleaseAge, strict) and by yarn 4 with its
// default npmMinimalAgeGate of one day, and the same install succeeds with the gate turned off.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { packageBuilder } from '../fixtures/package-builder.js';
import {
  createWorkspace,
  installCommand,
  removeWorkspace,
  run,
  runOk,
  skipWithout,
  type ClientName,
  type Workspace,
} from './clients.js';
import { installedTree } from './lockfiles.js';
import { writeConsumer } from './fixtures/projects.js';

const NAME = 'fresh-release';
const VERSION = '1.0.0';

for (const engine of ENGINES) {
  describe(`release-age gates see our publish time (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    let publishedAt: string;
    const workspaces: Workspace[] = [];

    beforeAll(async () => {
      r = await startRegistry(engine, { listen: true });
      alice = await r.createUser('alice');
      const body = packageBuilder(NAME, VERSION).file('index.js', 'module.exports = 1;\n').publishBody(r.url);
      const put = await r.inject({
        method: 'PUT',
        url: `/${NAME}`,
        headers: { authorization: `Bearer ${alice.token}` },
        payload: body,
      });
      expect(put.statusCode, put.body).toBe(201);
      const doc = (await (await fetch(`${r.url}/${NAME}`)).json()) as { time: Record<string, string> };
      publishedAt = doc.time[VERSION] ?? '';
      expect(publishedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    });
    afterAll(async () => {
      await Promise.all(workspaces.map(removeWorkspace));
      await r?.close();
    });

    async function consumer(client: ClientName, releaseAgeMinutes: number): Promise<Workspace> {
      const ws = await createWorkspace({ registry: r.url, client, releaseAgeMinutes });
      workspaces.push(ws);
      await writeConsumer(ws.dir, { [NAME]: `^${VERSION}` });
      return ws;
    }

    it.skipIf(skipWithout('pnpm12'))(
      'pnpm 12 with a strict minimumReleaseAge refuses the new version and prints the publish time it read',
      async () => {
        const ws = await consumer('pnpm12', 60);
        const result = await run('pnpm12', installCommand('pnpm12', false), ws);
        const output = result.stdout + result.stderr;
        expect(result.code, output).not.toBe(0);
        expect(output).toContain('ERR_PNPM_NO_MATURE_MATCHING_VERSION');
        // "fresh-release@1.0.0 was published at 2026-…Z, within the minimumReleaseAge cutoff (…)"
        // pnpm wraps the message at spaces, never inside the timestamp
        const line = [`${NAME}@${VERSION}`, 'was', 'published', 'at', publishedAt]
          .map((w) => w.replace(/\./g, '\\.'))
          .join('\\s+');
        expect(output).toMatch(new RegExp(line));
        expect(installedTree(ws.dir).size).toBe(0);
      },
    );

    it.skipIf(skipWithout('pnpm12'))('pnpm 12 installs the same version once the gate is off', async () => {
      const ws = await consumer('pnpm12', 0);
      await runOk('pnpm12', installCommand('pnpm12', false), ws);
      expect(Object.fromEntries(installedTree(ws.dir))).toEqual({ [NAME]: VERSION });
    });

    it('yarn 4 with its default age gate (1 day) quarantines the new version', async () => {
      const ws = await consumer('yarn4', 0);
      // drop the harness's explicit gate so yarn's own default applies
      const rc = join(ws.home, '.yarnrc.yml');
      const settings = await readFile(rc, 'utf8');
      await writeFile(rc, settings.replace(/^npmMinimalAgeGate:.*\n/m, ''));
      expect(await readFile(rc, 'utf8')).not.toContain('npmMinimalAgeGate');

      const result = await run('yarn4', installCommand('yarn4', false), ws);
      expect(result.code, result.stdout).not.toBe(0);
      expect(result.stdout).toContain(`YN0016: │ ${NAME}@npm:^${VERSION}: All versions satisfying "^${VERSION}" are quarantined`);
      expect(installedTree(ws.dir).size).toBe(0);
    });

    it('yarn 4 installs the same version once the gate is off', async () => {
      const ws = await consumer('yarn4', 0);
      await runOk('yarn4', installCommand('yarn4', false), ws);
      expect(Object.fromEntries(installedTree(ws.dir))).toEqual({ [NAME]: VERSION });
    });
  });
}
