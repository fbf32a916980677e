// The stock npm 11 publishing through trusted publishing, in a GitHub-Actions-shaped environment
// (GITHUB_ACTIONS, ACTIONS_ID_TOKEN_REQUEST_URL/TOKEN pointing at a local issuer with real keys) and
// with no stored token: npm asks the issuer for an ID token with audience npm:<registry host>,
// exchanges it at /-/npm/v1/oidc/token/exchange/package/<name> and publishes with what it gets.
// Its `npm trust github|list|revoke` commands set the configuration up. Refusals: npm goes on
// without a token (it logs our message at verbose level), so the publish fails and nothing lands.
// Tokens say `repository_visibility: private`, so npm does not turn provenance on (no Sigstore here).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { githubClaims, startOidcIssuer, type OidcIssuer } from '../support/oidc-issuer.js';
import { createWorkspace, removeWorkspace, run, runOk, skipWithout, type ClientResult, type Workspace } from './clients.js';
import { writeProject } from './fixtures/projects.js';

const client = 'npm11';
const EXCHANGE_REFUSED = /Failed token exchange request with body message: (.+)/;

for (const engine of ENGINES) {
  describe.skipIf(skipWithout(client))(`npm trusted publishing (${engine})`, () => {
    let issuer: OidcIssuer;
    let r: TestRegistry;
    let alice: TestUser;
    let aliceNpm: Workspace;
    let ci: Workspace;
    const workspaces: Workspace[] = [];

    /** A GitHub Actions runner with id-token: write, as npm's ci-info and oidc.js see one. */
    const actionsEnv = (extra: NodeJS.ProcessEnv = {}) => ({
      GITHUB_ACTIONS: 'true',
      ACTIONS_ID_TOKEN_REQUEST_URL: issuer.actionsRequestUrl,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: issuer.actionsRequestToken,
      ...extra,
    });

    async function ciPublish(name: string, version: string, env: NodeJS.ProcessEnv = {}): Promise<ClientResult> {
      const dir = await writeProject(join(ci.dir, `${name}-${version}`), { name, version });
      return run(client, ['publish', '--loglevel', 'verbose'], ci, { cwd: dir, env: actionsEnv(env) });
    }

    async function versions(name: string): Promise<string[]> {
      const res = await fetch(`${r.url}/${name}`);
      if (res.status === 404) return [];
      return Object.keys(((await res.json()) as { versions: Record<string, unknown> }).versions);
    }

    async function expectRefused(result: ClientResult, name: string, version: string) {
      expect(result.code, result.stdout + result.stderr).not.toBe(0);
      expect(result.stderr).toMatch(EXCHANGE_REFUSED);
      expect(await versions(name)).not.toContain(version);
    }

    beforeAll(async () => {
      issuer = await startOidcIssuer();
      r = await startRegistry(engine, { listen: true, config: { oidcGithubIssuer: issuer.url } });
      alice = await r.createUser('alice');
      aliceNpm = await createWorkspace({ registry: r.url, client, token: alice.token });
      ci = await createWorkspace({ registry: r.url, client });
      workspaces.push(aliceNpm, ci);
      const first = await writeProject(join(aliceNpm.dir, 'widget'), { name: 'widget', version: '1.0.0' });
      await runOk(client, ['publish'], aliceNpm, { cwd: first });
      const gadget = await writeProject(join(aliceNpm.dir, 'gadget'), { name: 'gadget', version: '1.0.0' });
      await runOk(client, ['publish'], aliceNpm, { cwd: gadget });
      issuer.actionsClaims = githubClaims('acme/widget', 'release.yml');
    });
    afterAll(async () => {
      for (const ws of workspaces) await removeWorkspace(ws);
      await r?.close();
      await issuer?.close();
    });

    it('npm trust github, list and revoke manage the configuration', async () => {
      await runOk(
        client,
        ['trust', 'github', 'widget', '--repo', 'acme/scratch', '--file', 'ci.yml', '--allow-publish', '--yes'],
        aliceNpm,
      );
      const listed = await runOk(client, ['trust', 'list', 'widget', '--json'], aliceNpm);
      expect(listed.stdout).toContain('acme/scratch');
      const id = /"id":\s*"([0-9a-f-]{36})"/.exec(listed.stdout)?.[1];
      expect(id).toBeDefined();
      await runOk(client, ['trust', 'revoke', 'widget', '--id', id!], aliceNpm);
      expect((await runOk(client, ['trust', 'list', 'widget', '--json'], aliceNpm)).stdout).not.toContain('acme/scratch');
    });

    it('publishes from the trusted workflow with no stored token', async () => {
      await runOk(
        client,
        ['trust', 'github', 'widget', '--repo', 'acme/widget', '--file', 'release.yml', '--allow-publish', '--yes'],
        aliceNpm,
      );
      const result = await ciPublish('widget', '1.1.0');
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(result.stderr).toMatch(/Successfully retrieved and set token/);
      expect(await versions('widget')).toContain('1.1.0');
      const doc = (await (await fetch(`${r.url}/widget`)).json()) as {
        versions: Record<string, { _npmUser?: { trustedPublisher?: unknown } }>;
      };
      expect(doc.versions['1.1.0']?._npmUser?.trustedPublisher).toBeDefined();
    });

    it('is refused for another repository', async () => {
      issuer.actionsClaims = githubClaims('mallory/widget', 'release.yml');
      try {
        await expectRefused(await ciPublish('widget', '1.2.0'), 'widget', '1.2.0');
      } finally {
        issuer.actionsClaims = githubClaims('acme/widget', 'release.yml');
      }
    });

    it('is refused for an expired token', async () => {
      issuer.actionsSignOptions = { at: Date.now() - 60 * 60 * 1000, lifetimeSeconds: 300 };
      try {
        await expectRefused(await ciPublish('widget', '1.3.0'), 'widget', '1.3.0');
      } finally {
        issuer.actionsSignOptions = {};
      }
    });

    it('is refused for a replayed ID token', async () => {
      const idToken = await issuer.sign({ aud: 'npm:127.0.0.1', ...githubClaims('acme/widget', 'release.yml') });
      const once = await ciPublish('widget', '1.4.0', { NPM_ID_TOKEN: idToken });
      expect(once.code, once.stderr).toBe(0);
      await expectRefused(await ciPublish('widget', '1.4.1', { NPM_ID_TOKEN: idToken }), 'widget', '1.4.1');
    });

    it('is refused for a wrong audience', async () => {
      const idToken = await issuer.sign({ aud: 'npm:registry.npmjs.org', ...githubClaims('acme/widget', 'release.yml') });
      await expectRefused(await ciPublish('widget', '1.5.0', { NPM_ID_TOKEN: idToken }), 'widget', '1.5.0');
    });

    it('is refused for an unlisted issuer', async () => {
      const other = await startOidcIssuer();
      try {
        const idToken = await other.sign({ aud: 'npm:127.0.0.1', ...githubClaims('acme/widget', 'release.yml') });
        await expectRefused(await ciPublish('widget', '1.6.0', { NPM_ID_TOKEN: idToken }), 'widget', '1.6.0');
        expect(other.jwksFetches).toBe(0);
      } finally {
        await other.close();
      }
    });

    it('is refused for a package the workflow is not trusted for', async () => {
      await expectRefused(await ciPublish('gadget', '2.0.0'), 'gadget', '2.0.0');
    });
  });
}
