// Staged publishing as npm ≥ 11.15 speaks it (npm/lib/commands/stage/*.js, libnpmpublish):
// a stage publish needs no second factor and lands where only maintainers see it; approval needs
// one, always, and publishes under the tag fixed at stage time; a rejection keeps the number taken.
// A package can require staging, and a stage-only token can stage but never publish or approve.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import * as npm from '../support/npm-protocol.js';
import { bearer, escaped } from '../support/npm-protocol.js';
import { enrolTotp, type Enrolled } from '../support/mfa.js';
import { packageBuilder, type PackageBuilder } from '../fixtures/package-builder.js';
import { ManualClock } from '../../src/domain/clock.js';

interface StageItem {
  id: string;
  packageName: string;
  version: string;
  tag: string;
  createdAt: string;
  actor: string;
  actorType: string;
  shasum: string;
}

const codeOf = (res: LightMyRequestResponse) => [
  res.statusCode,
  res.statusCode < 300 ? 'ok' : res.json<{ code?: string }>().code,
];
const pkg = (name: string, version: string) => packageBuilder(name, version).file('index.js', `module.exports = '${version}';\n`);

for (const engine of ENGINES) {
  describe(`staged publishing (${engine})`, () => {
    const clock = new ManualClock('2031-08-01T12:00:00.000Z');
    let r: TestRegistry;
    let alice: TestUser;
    let bob: TestUser;
    let carol: TestUser;
    let otp: Enrolled;

    const stage = (token: string, builder: PackageBuilder, tag?: string, headers: Record<string, string> = {}) =>
      r.inject({
        method: 'POST',
        url: `/-/stage/package/${escaped(builder.name)}`,
        headers: { ...bearer(token), ...headers },
        payload: builder.publishBody(r.url, tag === undefined ? {} : { tag }),
      });
    const staged = async (token: string, builder: PackageBuilder, tag?: string) => {
      const res = await stage(token, builder, tag);
      expect(res.statusCode, res.body).toBe(201);
      return res.json<{ stageId: string }>().stageId;
    };
    const get = (url: string, token?: string) => r.inject({ method: 'GET', url, headers: token ? bearer(token) : {} });
    const approve = (token: string, id: string, code?: string) =>
      r.inject({
        method: 'POST',
        url: `/-/stage/${id}/approve`,
        headers: { ...bearer(token), ...(code ? { 'npm-otp': code } : {}) },
      });
    const reject = (token: string, id: string, code?: string) =>
      r.inject({ method: 'DELETE', url: `/-/stage/${id}`, headers: { ...bearer(token), ...(code ? { 'npm-otp': code } : {}) } });
    const tokenWith = async (user: TestUser, body: Record<string, unknown>, code?: string) => {
      const res = await r.inject({
        method: 'POST',
        url: '/-/npm/v1/tokens',
        headers: { ...bearer(user.token), ...(code ? { 'npm-otp': code } : {}) },
        payload: { name: 'ci', password: user.password, ...body },
      });
      expect(res.statusCode, res.body).toBe(200);
      return res.json<{ token: string; permissions: string[] }>();
    };

    beforeAll(async () => {
      r = await startRegistry(engine, { deps: { clock } });
      alice = await r.createUser('alice');
      bob = await r.createUser('bob');
      carol = await r.createUser('carol');
      otp = await enrolTotp(r, alice, 'auth-only');
      await npm.published(r, alice, pkg('st-a', '1.0.0'));
    });
    afterAll(() => r.close());

    it('stages without a second factor; the version is not installable and the tag does not move', async () => {
      const id = await staged(alice.token, pkg('st-a', '1.1.0'));
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      const doc = await npm.packument(r, 'st-a');
      expect(Object.keys(doc.versions)).toEqual(['1.0.0']);
      expect(doc['dist-tags']).toEqual({ latest: '1.0.0' });
      expect((await get('/st-a/1.1.0')).statusCode).toBe(404);
      expect((await get('/st-a/-/st-a-1.1.0.tgz')).statusCode).toBe(404);
      const events = await r.registry.store.events.since(0, 1000);
      expect(events.filter((e) => e.type === 'version.staged' && e.version === '1.1.0')).toHaveLength(1);
    });

    it('lists and views stages for maintainers only, in the fields npm prints, and serves the tarball to them', async () => {
      const builder = pkg('st-a', '1.2.0');
      const id = await staged(alice.token, builder, 'next');
      const list = await get('/-/stage?page=0&perPage=100&package=st-a', alice.token);
      expect(list.statusCode, list.body).toBe(200);
      const { items, total } = list.json<{ items: StageItem[]; total: number }>();
      expect(total).toBe(items.length);
      const item = items.find((i) => i.id === id);
      expect(item).toMatchObject({ packageName: 'st-a', version: '1.2.0', tag: 'next', actor: 'alice', actorType: 'user' });
      expect(item?.shasum).toMatch(/^[0-9a-f]{40}$/);
      expect((await get(`/-/stage/${id}`, alice.token)).json<StageItem>()).toEqual(item);
      const tgz = await get(`/-/stage/${id}/tarball`, alice.token);
      expect(tgz.statusCode).toBe(200);
      expect(tgz.rawPayload.equals(builder.tarball())).toBe(true);
      // A stranger sees nothing: an empty list, and the same 404 as a missing stage.
      expect((await get('/-/stage', bob.token)).json()).toEqual({ items: [], total: 0 });
      expect(codeOf(await get(`/-/stage/${id}`, bob.token))).toEqual([404, 'StageNotFound']);
      expect(codeOf(await get(`/-/stage/${id}/tarball`, bob.token))).toEqual([404, 'StageNotFound']);
      expect(codeOf(await get('/-/stage'))).toEqual([401, 'Unauthenticated']);
      expect(codeOf(await approve(bob.token, id, '123456'))).toEqual([404, 'StageNotFound']);
    });

    it('approves only with a one-time password, then publishes under the tag fixed at stage time', async () => {
      const id = await staged(alice.token, pkg('st-a', '2.0.0-rc.1'), 'beta');
      const refused = await approve(alice.token, id);
      expect(codeOf(refused)).toEqual([401, 'OtpRequired']);
      expect(refused.headers['www-authenticate']).toBe('OTP');
      expect(codeOf(await approve(alice.token, id, '000000'))).toEqual([401, 'OtpInvalid']);
      expect((await get('/st-a/2.0.0-rc.1')).statusCode).toBe(404);
      const res = await approve(alice.token, id, otp.nextCode());
      expect(res.statusCode, res.body).toBe(200);
      const doc = await npm.packument(r, 'st-a');
      expect(doc['dist-tags']).toMatchObject({ latest: '1.0.0', beta: '2.0.0-rc.1' });
      expect((await get('/st-a/-/st-a-2.0.0-rc.1.tgz')).statusCode).toBe(200);
      // Approved once: a second approval, or a view, finds it gone.
      expect(codeOf(await approve(alice.token, id, otp.nextCode()))).toEqual([404, 'StageNotFound']);
      const events = await r.registry.store.events.since(0, 1000);
      expect(events.find((e) => e.type === 'version.stage_approved' && e.version === '2.0.0-rc.1')?.data).toMatchObject({
        tag: 'beta',
      });
    });

    it("an approved version's time in the packument is its approval, not its stage", async () => {
      const id = await staged(alice.token, pkg('st-time', '1.0.0'));
      const stagedAt = new Date(clock.now()).toISOString();
      clock.advance(3 * 60 * 60 * 1000);
      const approvedAt = new Date(clock.now()).toISOString();
      expect((await approve(alice.token, id, otp.nextCode())).statusCode).toBe(200);
      const doc = (await npm.packument(r, 'st-time')) as unknown as { time: Record<string, string> };
      expect(doc.time['1.0.0']).toBe(approvedAt);
      expect(doc.time['1.0.0']).not.toBe(stagedAt);
    });

    it('refuses approval to an account without a second factor, and to a co-maintainer via the package', async () => {
      await npm.published(r, carol, pkg('st-c', '1.0.0'));
      const id = await staged(carol.token, pkg('st-c', '1.1.0'));
      expect(codeOf(await approve(carol.token, id))).toEqual([403, 'StageApprovalNeedsMfa']);
      expect(codeOf(await approve(carol.token, id, '123456'))).toEqual([403, 'StageApprovalNeedsMfa']);
      expect(Object.keys((await npm.packument(r, 'st-c')).versions)).toEqual(['1.0.0']);
    });

    it('answers the staging setting of a private package to a stranger as for a missing one', async () => {
      const secret = packageBuilder('@alice/hidden-stage', '1.0.0').file('index.js', '//\n');
      expect((await r.publish(alice, secret, { access: 'restricted' })).statusCode).toBe(201);
      const ask = (name: string, user?: TestUser) =>
        r.inject({
          method: 'GET',
          url: `/-/package/${name.replace('/', '%2f')}/staging`,
          headers: user ? { authorization: `Bearer ${user.token}` } : {},
        });
      const hidden = await ask('@alice/hidden-stage', bob);
      const missing = await ask('@alice/never-made', bob);
      expect([hidden.statusCode, hidden.json<{ code: string }>().code]).toEqual([404, 'PackageNotFound']);
      expect([missing.statusCode, missing.json<{ code: string }>().code]).toEqual([404, 'PackageNotFound']);
      expect((await ask('@alice/hidden-stage', alice)).json()).toEqual({ required: false });
    });

    it('reserves the number while staged and after a rejection', async () => {
      const id = await staged(alice.token, pkg('st-a', '3.0.0'));
      expect(codeOf(await stage(alice.token, pkg('st-a', '3.0.0')))).toEqual([409, 'VersionStaged']);
      expect(codeOf(await r.publish(alice, pkg('st-a', '3.0.0')))).toEqual([409, 'VersionStaged']);
      const res = await reject(alice.token, id);
      expect(res.statusCode, res.body).toBe(200);
      expect(codeOf(await get(`/-/stage/${id}`, alice.token))).toEqual([404, 'StageNotFound']);
      expect(codeOf(await r.publish(alice, pkg('st-a', '3.0.0')))).toEqual([409, 'VersionStaged']);
      expect(codeOf(await stage(alice.token, pkg('st-a', '3.0.0')))).toEqual([409, 'VersionStaged']);
      expect(Object.keys((await npm.packument(r, 'st-a')).versions)).not.toContain('3.0.0');
      expect((await get('/st-a/-/st-a-3.0.0.tgz')).statusCode).toBe(404);
    });

    it('a package requiring staging refuses a direct publish and takes a stage', async () => {
      await npm.published(r, alice, pkg('st-req', '1.0.0'));
      const put = (token: string, required: boolean, code?: string) =>
        r.inject({
          method: 'PUT',
          url: '/-/package/st-req/staging',
          headers: { ...bearer(token), ...(code ? { 'npm-otp': code } : {}) },
          payload: { required },
        });
      expect(codeOf(await put(bob.token, true))).toEqual([403, 'NotMaintainer']);
      expect((await put(alice.token, true)).statusCode).toBe(200);
      expect((await get('/-/package/st-req/staging')).json()).toEqual({ required: true });
      expect(codeOf(await r.publish(alice, pkg('st-req', '1.1.0')))).toEqual([403, 'StagingRequired']);
      const id = await staged(alice.token, pkg('st-req', '1.1.0'));
      expect((await approve(alice.token, id, otp.nextCode())).statusCode).toBe(200);
      expect((await npm.packument(r, 'st-req'))['dist-tags'].latest).toBe('1.1.0');
    });

    it('a stage-only token stages but cannot publish, approve or reject', async () => {
      const ci = await tokenWith(alice, { stage_only: true }, otp.nextCode());
      expect(ci.permissions).toEqual(['read', 'stage']);
      const listed = await tokenWith(alice, { permissions: ['read', 'stage'] }, otp.nextCode());
      expect(listed.permissions).toEqual(['read', 'stage']);
      const ciUser = { ...alice, token: ci.token };
      expect(codeOf(await r.publish(ciUser, pkg('st-a', '4.0.0')))).toEqual([403, 'TokenStageOnly']);
      const id = await staged(ci.token, pkg('st-a', '4.0.0'));
      expect((await get(`/-/stage/${id}`, ci.token)).statusCode).toBe(200);
      expect(codeOf(await approve(ci.token, id, otp.nextCode()))).toEqual([403, 'TokenStageOnly']);
      expect(codeOf(await reject(ci.token, id, otp.nextCode()))).toEqual([403, 'TokenStageOnly']);
      expect(Object.keys((await npm.packument(r, 'st-a')).versions)).not.toContain('4.0.0');
      // Its owner approves it with a second factor.
      expect((await approve(alice.token, id, otp.nextCode())).statusCode).toBe(200);
      expect(Object.keys((await npm.packument(r, 'st-a')).versions)).toContain('4.0.0');
    });

    it('mails every owner when a version is staged', async () => {
      await staged(alice.token, pkg('st-a', '5.0.0'));
      const rows = await r.registry.store.events.since(0, 1000);
      const event = rows.filter((e) => e.type === 'version.staged').at(-1);
      expect(event?.version).toBe('5.0.0');
      const { recipientsOf } = await import('../../src/domain/mail/recipients.js');
      if (!event) throw new Error('no event');
      expect((await recipientsOf(event, r.registry.store)).map((x) => x.account)).toEqual(['alice']);
    });
  });
}
