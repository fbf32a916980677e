// Orgs, teams and private packages as npm's client meets them, on both engines: the first scoped
// publish makes an org; roles decide who manages; only grants open a package; a private package
// is byte for byte a missing one to everyone else on every read route, on the fast path too; a
// member removed from the org loses a granted private package on their very next read; bad
// input is refused with a code and changes nothing.
import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { bearer, escaped } from '../support/npm-protocol.js';
import { packageBuilder } from '../fixtures/package-builder.js';

const pkg = (name: string, version = '1.0.0') => packageBuilder(name, version).file('index.js', `// ${name}\n`);
const codeOf = (res: LightMyRequestResponse) => [res.statusCode, res.json<{ code?: string }>().code];

/** A GET over a real socket (the fast path answers these from memory once cached). */
function get(
  agent: Agent,
  url: string,
  token?: string,
): Promise<{ status: number | undefined; body: Buffer; fromMemory: boolean }> {
  return new Promise((resolve, reject) => {
    const headers = token ? bearer(token) : {};
    const req = request(url, { agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      // Only the framework path adds a request id: an answer without one came from the fast path.
      const fromMemory = res.headers['x-request-id'] === undefined;
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks), fromMemory }));
    });
    req.on('error', reject);
    req.end();
  });
}

for (const engine of ENGINES) {
  describe(`orgs, teams and private packages (${engine})`, () => {
    let r: TestRegistry;
    let owner: TestUser;
    let dev: TestUser;
    let stranger: TestUser;
    let admin: TestUser;
    let agent: Agent;
    const call = (user: TestUser | undefined, method: 'GET' | 'PUT' | 'DELETE' | 'POST', url: string, payload?: unknown) =>
      r.inject({
        method,
        url,
        headers: user ? bearer(user.token) : {},
        ...(payload !== undefined && { payload: payload as object }),
      });
    const readOnlyToken = (user: TestUser) =>
      r.registry.store.transaction(
        async (tx) => (await r.registry.tokens.create(tx, user.user, { scopes: ['read'], reason: 'test' })).secret,
      );
    const rowCount = async () => {
      const s = r.registry.store;
      const [members, teams] = await Promise.all([s.orgs.members('acme'), s.orgs.teams('acme')]);
      const grants = await Promise.all(teams.map((t) => s.orgs.teamGrants('acme', t)));
      return { members: members.map((m) => `${m.user.name}:${m.role}`), teams, grants, events: await s.events.latestSeq() };
    };

    beforeAll(async () => {
      r = await startRegistry(engine, { listen: true });
      owner = await r.createUser('olive');
      dev = await r.createUser('devon');
      stranger = await r.createUser('stan');
      admin = await r.createUser('root', { admin: true });
      agent = new Agent({ keepAlive: true, maxSockets: 1 });
      expect((await r.publish(owner, pkg('@acme/secret'), { access: 'restricted' })).statusCode).toBe(201);
      expect((await r.publish(owner, pkg('@acme/open'))).statusCode).toBe(201);
    });
    afterAll(async () => {
      agent.destroy();
      await r.close();
    });

    it('makes the first publisher under a new scope the owner of its org', async () => {
      const res = await call(owner, 'GET', '/-/org/acme/user');
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ olive: 'owner' });
      expect((await call(owner, 'GET', '/-/package/@acme%2fsecret/visibility')).json()).toEqual({ public: false });
      expect((await call(owner, 'GET', '/-/package/@acme%2fopen/visibility')).json()).toEqual({ public: true });
    });

    it('answers a private package to a stranger exactly as a missing one, on every read route', async () => {
      const routes = (name: string) => [
        `/${escaped(name)}`,
        `/${escaped(name)}/1.0.0`,
        `/${name}/-/${name.split('/')[1]}-1.0.0.tgz`,
        `/-/package/${escaped(name)}/dist-tags`,
        `/-/package/${escaped(name)}/visibility`,
        `/-/package/${escaped(name)}/collaborators`,
        `/-/downloads/point/last-week/${name}`,
      ];
      const hidden = routes('@acme/secret');
      const missing = routes('@acme/nothing');
      for (const [i, url] of hidden.entries()) {
        for (const who of [undefined, stranger]) {
          const a = await call(who, 'GET', url);
          const b = await call(who, 'GET', missing[i]!);
          expect([url, a.statusCode, a.body.replaceAll('secret', 'X')]).toEqual([
            url,
            b.statusCode,
            b.body.replaceAll('nothing', 'X'),
          ]);
        }
      }
      // Twice over a socket: the second answer comes from the fast path's memory.
      for (let n = 0; n < 2; n++) {
        const a = await get(agent, `${r.url}/@acme%2fsecret`, stranger.token);
        const b = await get(agent, `${r.url}/@acme%2fnothing`, stranger.token);
        expect([a.status, a.body.toString().replaceAll('secret', 'X')]).toEqual([
          b.status,
          b.body.toString().replaceAll('nothing', 'X'),
        ]);
      }
      const search = await call(stranger, 'GET', '/-/v1/search?text=acme');
      expect(search.json<{ objects: { package: { name: string } }[] }>().objects.map((o) => o.package.name)).toEqual([
        '@acme/open',
      ]);
      const page = await r.inject({ method: 'GET', url: '/package/@acme/secret', headers: { accept: 'text/html' } });
      expect(page.statusCode).toBe(404);
      // Its maintainer and an administrator read it.
      expect((await call(owner, 'GET', '/@acme%2fsecret')).statusCode).toBe(200);
      expect((await call(admin, 'GET', '/@acme%2fsecret')).statusCode).toBe(200);
    });

    it('refuses a stranger publishing to a private package exactly as to a missing name of its scope', async () => {
      const secret = await r.publish(stranger, pkg('@acme/secret', '9.0.0'));
      const missing = await r.publish(stranger, pkg('@acme/nobody', '9.0.0'));
      expect(codeOf(secret)).toEqual(codeOf(missing));
      expect(secret.json<{ error: string }>().error.replace('secret', 'nobody')).toBe(missing.json<{ error: string }>().error);
    });

    it('lets a developer create packages in the scope but neither read a private one nor manage anything', async () => {
      const added = await call(owner, 'PUT', '/-/org/acme/user', { user: 'devon', role: 'developer' });
      expect(added.json()).toEqual({ org: { name: 'acme', size: 2 }, user: 'devon', role: 'developer' });
      expect((await r.publish(dev, pkg('@acme/tool'))).statusCode).toBe(201);
      expect(codeOf(await r.publish(stranger, pkg('@acme/intruder')))).toEqual([403, 'ScopeNotYours']);
      // Membership alone grants nothing: the private package is still missing to the developer.
      expect(codeOf(await call(dev, 'GET', '/@acme%2fsecret'))).toEqual([404, 'PackageNotFound']);
      expect(codeOf(await call(dev, 'PUT', '/-/org/acme/team', { name: 'ops' }))).toEqual([403, 'NotOrgAdmin']);
      expect(codeOf(await call(dev, 'PUT', '/-/org/acme/user', { user: 'stan' }))).toEqual([403, 'NotOrgAdmin']);
      expect(codeOf(await call(stranger, 'GET', '/-/org/acme/user'))).toEqual([403, 'NotOrgMember']);
    });

    it('lets an admin manage teams and grants but not owners', async () => {
      await call(owner, 'PUT', '/-/org/acme/user', { user: 'stan', role: 'admin' });
      expect((await call(stranger, 'PUT', '/-/org/acme/team', { name: 'readers' })).statusCode).toBe(201);
      expect(codeOf(await call(stranger, 'PUT', '/-/org/acme/user', { user: 'devon', role: 'owner' }))).toEqual([
        403,
        'NotOrgAdmin',
      ]);
      expect(codeOf(await call(stranger, 'DELETE', '/-/org/acme/user', { user: 'olive' }))).toEqual([403, 'NotOrgAdmin']);
      expect((await call(owner, 'GET', '/-/org/acme/team?format=cli')).json()).toEqual(['acme:developers', 'acme:readers']);
      await call(owner, 'DELETE', '/-/org/acme/user', { user: 'stan' });
    });

    it('opens a private package to a granted team, and closes it on the next read once the member leaves the org', async () => {
      expect((await call(owner, 'PUT', '/-/team/acme/readers/user', { user: 'devon' })).statusCode).toBe(200);
      const granted = await call(owner, 'PUT', '/-/team/acme/readers/package', {
        package: '@acme/secret',
        permissions: 'read-only',
      });
      expect(granted.statusCode).toBe(200);
      expect((await call(owner, 'GET', '/-/team/acme/readers/package')).json()).toEqual({ '@acme/secret': 'read' });
      expect((await call(owner, 'GET', '/-/package/@acme%2fsecret/collaborators')).json()).toEqual({
        olive: 'write',
        devon: 'read',
      });
      // Read twice over a socket: the second read is the fast path's, private bytes from memory.
      expect((await get(agent, `${r.url}/@acme%2fsecret`, dev.token)).status).toBe(200);
      const again = await get(agent, `${r.url}/@acme%2fsecret`, dev.token);
      expect([again.status, again.fromMemory]).toEqual([200, true]);
      // read-only: no publishing.
      expect(codeOf(await r.publish(dev, pkg('@acme/secret', '1.0.1')))).toEqual([403, 'NotMaintainer']);

      expect((await call(owner, 'DELETE', '/-/org/acme/user', { user: 'devon' })).statusCode).toBe(200);
      const after = await get(agent, `${r.url}/@acme%2fsecret`, dev.token);
      expect([after.status, JSON.parse(after.body.toString()).code]).toEqual([404, 'PackageNotFound']);
      // Refused from memory too, once the rebuilt entry is cached.
      expect(await get(agent, `${r.url}/@acme%2fsecret`, dev.token)).toMatchObject({ status: 404, fromMemory: true });
      expect((await call(owner, 'GET', '/-/team/acme/readers/user?format=cli')).json()).toEqual([]);
    });

    it('lets a read-write team publish, and flips visibility with npm access set status', async () => {
      await call(owner, 'PUT', '/-/org/acme/user', { user: 'devon' });
      await call(owner, 'PUT', '/-/team/acme/readers/user', { user: 'devon' });
      await call(owner, 'PUT', '/-/team/acme/readers/package', { package: '@acme/secret', permissions: 'read-write' });
      expect((await r.publish(dev, pkg('@acme/secret', '1.0.1'))).statusCode).toBe(201);
      expect((await call(owner, 'POST', '/-/package/@acme%2fsecret/access', { access: 'public' })).statusCode).toBe(200);
      expect((await call(undefined, 'GET', '/@acme%2fsecret')).statusCode).toBe(200);
      expect((await call(owner, 'POST', '/-/package/@acme%2fsecret/access', { access: 'restricted' })).statusCode).toBe(200);
      expect(codeOf(await call(undefined, 'GET', '/@acme%2fsecret'))).toEqual([404, 'PackageNotFound']);
    });

    it('closes a private package on the next read once its reader leaves the granted team', async () => {
      await call(owner, 'POST', '/-/package/@acme%2fsecret/access', { access: 'restricted' });
      expect((await get(agent, `${r.url}/@acme%2fsecret`, dev.token)).status).toBe(200);
      expect((await get(agent, `${r.url}/@acme%2fsecret`, dev.token)).status).toBe(200);
      expect((await call(owner, 'DELETE', '/-/team/acme/readers/user', { user: 'devon' })).statusCode).toBe(200);
      expect((await get(agent, `${r.url}/@acme%2fsecret`, dev.token)).status).toBe(404);
      await call(owner, 'PUT', '/-/team/acme/readers/user', { user: 'devon' });
      expect((await get(agent, `${r.url}/@acme%2fsecret`, dev.token)).status).toBe(200);
    });

    it("grants new packages to the developers team only once an owner turns npm's default on", async () => {
      expect((await r.publish(owner, pkg('@acme/before'), { access: 'restricted' })).statusCode).toBe(201);
      expect((await call(dev, 'GET', '/@acme%2fbefore')).statusCode).toBe(404);
      await call(owner, 'PUT', '/-/org/acme/user', { user: 'stan', role: 'admin' });
      const byAdmin = await call(stranger, 'PUT', '/-/org/acme/settings', { developersGetNewPackages: true });
      expect(codeOf(byAdmin)).toEqual([403, 'NotOrgAdmin']);
      await call(owner, 'DELETE', '/-/org/acme/user', { user: 'stan' });
      const on = await call(owner, 'PUT', '/-/org/acme/settings', { developersGetNewPackages: true });
      expect(on.json()).toEqual({ developersGetNewPackages: true });
      expect((await r.publish(owner, pkg('@acme/after'), { access: 'restricted' })).statusCode).toBe(201);
      expect((await call(dev, 'GET', '/@acme%2fafter')).statusCode).toBe(200);
      expect((await call(dev, 'GET', '/@acme%2fbefore')).statusCode).toBe(404);
      expect((await call(owner, 'GET', '/-/team/acme/developers/package')).json()).toEqual({ '@acme/after': 'write' });
      await call(owner, 'PUT', '/-/org/acme/settings', { developersGetNewPackages: false });
    });

    it('refuses bad input with a code and changes nothing', async () => {
      const ownerReadOnly = { ...owner, token: await readOnlyToken(owner) };
      const before = await rowCount();
      const grants = '/-/team/acme/readers/package';
      const cases: [TestUser | undefined, 'PUT' | 'DELETE' | 'POST', string, unknown, number, string][] = [
        [owner, 'PUT', '/-/org/nope/user', { user: 'devon' }, 404, 'OrgNotFound'],
        [owner, 'PUT', '/-/org/acme/user', { user: 'ghost' }, 404, 'UserNotFound'],
        [owner, 'PUT', '/-/org/acme/user', { user: 'devon', role: 'superuser' }, 400, 'InvalidRole'],
        [owner, 'PUT', '/-/org/acme/user', ['devon'], 400, 'BadRequest'],
        [owner, 'PUT', '/-/org/acme/user', { user: 7 }, 400, 'BadRequest'],
        [owner, 'DELETE', '/-/org/acme/user', { user: 'olive' }, 409, 'LastOrgOwner'],
        [owner, 'PUT', '/-/org/acme/user', { user: 'olive', role: 'developer' }, 409, 'LastOrgOwner'],
        [owner, 'PUT', '/-/org/acme/team', { name: 'Bad Team!' }, 400, 'InvalidTeamName'],
        [owner, 'PUT', '/-/org/acme/team', { name: 'readers' }, 409, 'TeamExists'],
        [owner, 'PUT', '/-/team/acme/ghosts/user', { user: 'devon' }, 404, 'TeamNotFound'],
        [owner, 'PUT', '/-/team/acme/readers/user', { user: 'stan' }, 403, 'NotOrgMember'],
        [owner, 'PUT', grants, { package: '@acme/open', permissions: 'admin' }, 400, 'InvalidPermission'],
        [owner, 'PUT', grants, { package: '@other/x', permissions: 'read-only' }, 400, 'PackageNotInOrg'],
        [owner, 'PUT', grants, { package: '@acme/nothing', permissions: 'read-only' }, 404, 'PackageNotFound'],
        [owner, 'POST', '/-/package/@acme%2fopen/access', { access: 'secret' }, 400, 'BadRequest'],
        [stranger, 'POST', '/-/package/@acme%2fopen/access', { access: 'restricted' }, 403, 'NotMaintainer'],
        [undefined, 'PUT', '/-/org/acme/user', { user: 'stan' }, 401, 'Unauthenticated'],
        [owner, 'POST', '/-/org', { name: 'acme' }, 403, 'Forbidden'],
        [ownerReadOnly, 'PUT', '/-/org/acme/user', { user: 'stan' }, 403, 'TokenReadOnly'],
        [ownerReadOnly, 'PUT', grants, { package: '@acme/open', permissions: 'read-only' }, 403, 'TokenReadOnly'],
        [ownerReadOnly, 'POST', '/-/package/@acme%2fopen/access', { access: 'restricted' }, 403, 'TokenReadOnly'],
        [admin, 'POST', '/-/org', { name: 'acme' }, 409, 'OrgExists'],
      ];
      for (const [who, method, url, payload, status, code] of cases) {
        expect([url, payload, ...codeOf(await call(who, method, url, payload))]).toEqual([url, payload, status, code]);
      }
      expect(await rowCount()).toEqual(before);
    });

    it('lets an administrator create an org for an unclaimed scope', async () => {
      const res = await call(admin, 'POST', '/-/org', { name: 'newco', owner: 'stan' });
      expect(res.statusCode).toBe(201);
      expect((await call(stranger, 'GET', '/-/org/newco/user')).json()).toEqual({ stan: 'owner' });
      expect(codeOf(await r.publish(owner, pkg('@newco/x')))).toEqual([403, 'ScopeNotYours']);
    });
  });

  describe(`anonymousReads off (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    beforeAll(async () => {
      r = await startRegistry(engine, { listen: true, config: { anonymousReads: false } });
      alice = await r.createUser('alice');
      expect((await r.publish(alice, pkg('plain'))).statusCode).toBe(201);
    });
    afterAll(() => r.close());

    it('asks anonymous readers to log in and serves readers with a token', async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      for (let n = 0; n < 2; n++) {
        expect((await get(agent, `${r.url}/plain`, alice.token)).status).toBe(200);
        const anon = await get(agent, `${r.url}/plain`);
        expect([anon.status, JSON.parse(anon.body.toString()).code]).toEqual([401, 'Unauthenticated']);
      }
      agent.destroy();
    });
  });
}
