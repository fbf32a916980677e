// The typosquatting defence as a publisher meets it, on both engines: the first publish of a name
// that imitates a protected or popular one is refused (or held for review) with a code naming the
// look-alike and how to appeal, and leaves no trace; administrators claim protected names and
// allow or approve others; owners claim variants of their own packages; real neighbours publish.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, freshDatabase } from '../support/engines.js';
import { openRegistry } from '../../src/registry.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { packageBuilder } from '../fixtures/package-builder.js';
import { addDays, dayOf, type Day } from '../../src/domain/downloads/days.js';
import { ProtectedListError } from '../../src/domain/names/protected-list.js';

const ADMIN = '/-/gatehouse/v1/admin/names';

function auth(user: TestUser) {
  return { authorization: `Bearer ${user.token}` };
}

/** One typosquat of a bundled popular name per technique (the domain test has more of each). */
const SQUATS: [string, string][] = [
  ['crossenv', 'cross-env'], // separators
  ['l0dash', 'lodash'], // look-alike characters
  ['rnongoose', 'mongoose'], // rn for m
  ['mongose', 'mongoose'], // omission
  ['expresss', 'express'], // repetition
  ['electorn', 'electron'], // transposition
  ['axioz', 'axios'], // substitution
  ['types-node', '@types/node'], // scope flattened
  ['@typess/node', '@types/node'], // scope changed
  ['lodash-js', 'lodash'], // affix
  ['node-lodash', 'lodash'],
  ['parser-yargs', 'yargs-parser'], // reordering
  ['lodash-security', 'lodash'], // suspicious word
];

/** New names near popular ones that are not imitations (the false-positive report measures more). */
const NEIGHBOURS = ['preact-ledger', 'react-dnd-acme', 'colors-acme', 'eslint-config-acme', 'acme-lodash-tools', '@acme/react'];

async function eventTypesSince(r: TestRegistry, seq: number): Promise<string[]> {
  return (await r.registry.store.events.since(seq, 1000)).map((e) => e.type);
}

for (const engine of ENGINES) {
  describe(`typosquatting, policy refuse (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    let bob: TestUser;
    let root: TestUser;

    beforeAll(async () => {
      // popular minutes 0: the registry's own ranking is read at every check, so a test's downloads count at once.
      r = await startRegistry(engine, { config: { typosquatPopularMinutes: 0 } });
      alice = await r.createUser('alice');
      bob = await r.createUser('bob');
      root = await r.createUser('root', { admin: true });
    });
    afterAll(() => r.close());

    for (const [squat, target] of SQUATS) {
      it(`refuses ${squat}, naming ${target}, and stores nothing`, async () => {
        const before = await r.registry.store.events.latestSeq();
        const res = await r.publish(alice, packageBuilder(squat, '1.0.0'));
        expect([res.statusCode, res.json().code]).toEqual([403, 'NameTooSimilar']);
        expect(res.json().error).toContain(`"${target}"`);
        expect(res.json().error).toContain('gatehouse names allow');
        expect((await r.inject({ method: 'GET', url: `/${squat.replace('/', '%2f')}` })).statusCode).toBe(404);
        expect(await eventTypesSince(r, before)).toEqual([]);
      });
    }

    for (const name of NEIGHBOURS) {
      it(`publishes ${name}, a neighbour that imitates nothing`, async () => {
        expect((await r.publish(alice, packageBuilder(name, '1.0.0'))).statusCode).toBe(201);
      });
    }

    it('lets only an administrator create a protected name', async () => {
      const refused = await r.publish(alice, packageBuilder('lodash', '1.0.0'));
      expect([refused.statusCode, refused.json().code]).toEqual([403, 'NameProtected']);
      expect((await r.publish(root, packageBuilder('lodash', '1.0.0'))).statusCode).toBe(201);
      // An administrator may also claim a look-alike (say, to park it).
      expect((await r.publish(root, packageBuilder('lodahs', '0.0.1'))).statusCode).toBe(201);
    });

    it('checks only a new name: an existing package publishes its next version', async () => {
      expect((await r.publish(root, packageBuilder('lodash', '1.0.1'))).statusCode).toBe(201);
    });

    it('lets an administrator allow a name through the API, for anyone or one user', async () => {
      const before = await r.registry.store.events.latestSeq();
      const put = await r.inject({
        method: 'PUT',
        url: `${ADMIN}/allowed/webpeck`,
        headers: auth(root),
        payload: { user: 'alice', note: 'a different project, reviewed' },
      });
      expect(put.statusCode).toBe(201);
      expect(await eventTypesSince(r, before)).toEqual(['name.allowed']);
      const list = await r.inject({ method: 'GET', url: `${ADMIN}/allowed`, headers: auth(root) });
      expect(list.json().allowed.map((a: { name: string }) => a.name)).toEqual(['webpeck']);
      // Allowed for alice only: bob is still refused.
      expect((await r.publish(bob, packageBuilder('webpeck', '1.0.0'))).json().code).toBe('NameTooSimilar');
      expect((await r.publish(alice, packageBuilder('webpeck', '1.0.0'))).statusCode).toBe(201);
      const del = await r.inject({ method: 'DELETE', url: `${ADMIN}/allowed/webpeck`, headers: auth(root) });
      expect(del.statusCode).toBe(200);
      // The package exists now, so its owner keeps publishing without the entry.
      expect((await r.publish(alice, packageBuilder('webpeck', '1.0.1'))).statusCode).toBe(201);
    });

    it('allows a scoped name given with its slash encoded', async () => {
      const put = await r.inject({ method: 'PUT', url: `${ADMIN}/allowed/@typez%2Fnode`, headers: auth(root), payload: {} });
      expect(put.statusCode).toBe(201);
      expect((await r.publish(bob, packageBuilder('@typez/node', '1.0.0'))).statusCode).toBe(201);
    });

    it('refuses the admin API to everyone but administrators, and bad input, changing nothing', async () => {
      const before = await r.registry.store.events.latestSeq();
      const asAlice = await r.inject({ method: 'PUT', url: `${ADMIN}/allowed/axioz`, headers: auth(alice), payload: {} });
      expect([asAlice.statusCode, asAlice.json().code]).toEqual([403, 'Forbidden']);
      const anonymous = await r.inject({ method: 'GET', url: `${ADMIN}/allowed` });
      expect(anonymous.statusCode).toBe(401);
      const badName = await r.inject({ method: 'PUT', url: `${ADMIN}/allowed/Bad%20Name!`, headers: auth(root), payload: {} });
      expect([badName.statusCode, badName.json().code]).toEqual([400, 'InvalidPackageName']);
      const badNote = await r.inject({
        method: 'PUT',
        url: `${ADMIN}/allowed/axioz`,
        headers: auth(root),
        payload: { note: 42 },
      });
      expect([badNote.statusCode, badNote.json().code]).toEqual([400, 'BadRequest']);
      const noUser = await r.inject({
        method: 'PUT',
        url: `${ADMIN}/allowed/axioz`,
        headers: auth(root),
        payload: { user: 'nobody' },
      });
      expect([noUser.statusCode, noUser.json().code]).toEqual([404, 'UserNotFound']);
      const missing = await r.inject({ method: 'DELETE', url: `${ADMIN}/allowed/axioz`, headers: auth(root) });
      expect(missing.statusCode).toBe(404);
      expect(await eventTypesSince(r, before)).toEqual([]);
      expect((await r.publish(alice, packageBuilder('axioz', '1.0.0'))).json().code).toBe('NameTooSimilar');
    });

    it('counts this registry’s own popular packages, whose owners may claim variants of them', async () => {
      expect((await r.publish(alice, packageBuilder('acme-widgets', '1.0.0'))).statusCode).toBe(201);
      const yesterday = addDays(dayOf(Date.now()) as Day, -1);
      await r.registry.store.transaction((tx) =>
        tx.downloads.add([{ packageName: 'acme-widgets', version: '1.0.0', day: yesterday, count: 5000 }]),
      );
      const squat = await r.publish(bob, packageBuilder('acme-widgtes', '1.0.0'));
      expect([squat.statusCode, squat.json().code]).toEqual([403, 'NameTooSimilar']);
      expect(squat.json().error).toContain('"acme-widgets"');
      expect((await r.publish(alice, packageBuilder('acme-widgtes', '1.0.0'))).statusCode).toBe(201);
    });

    it('answers what a name resembles to an administrator', async () => {
      const res = await r.inject({ method: 'GET', url: `${ADMIN}/check/expresss`, headers: auth(root) });
      expect(res.json().similar).toMatchObject({ name: 'express', technique: 'repetition' });
    });
  });

  describe(`typosquatting, policy hold (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    let bob: TestUser;
    let root: TestUser;

    beforeAll(async () => {
      r = await startRegistry(engine, { config: { typosquatPolicy: 'hold' } });
      alice = await r.createUser('alice');
      bob = await r.createUser('bob');
      root = await r.createUser('root', { admin: true });
    });
    afterAll(() => r.close());

    it('holds a look-alike for review once, publishes nothing, and publishes it after approval', async () => {
      const before = await r.registry.store.events.latestSeq();
      const held = await r.publish(alice, packageBuilder('lodahs', '1.0.0'));
      expect([held.statusCode, held.json().code]).toEqual([403, 'NameHeldForReview']);
      expect(held.json().error).toContain('"lodash"');
      expect(await eventTypesSince(r, before)).toEqual(['name.claim_held']);
      expect((await r.inject({ method: 'GET', url: '/lodahs' })).statusCode).toBe(404);
      // Asking again changes nothing: the claim waits.
      expect((await r.publish(alice, packageBuilder('lodahs', '1.0.0'))).json().code).toBe('NameHeldForReview');
      const claims = await r.inject({ method: 'GET', url: `${ADMIN}/claims`, headers: auth(root) });
      expect(claims.json().claims).toMatchObject([
        { name: 'lodahs', userName: 'alice', similarTo: 'lodash', technique: 'transposition' },
      ]);

      const approve = await r.inject({
        method: 'POST',
        url: `${ADMIN}/claims/lodahs/approve`,
        headers: auth(root),
        payload: { user: 'alice' },
      });
      expect([approve.statusCode, approve.json().state]).toEqual([200, 'approved']);
      expect((await r.inject({ method: 'GET', url: `${ADMIN}/claims`, headers: auth(root) })).json().claims).toEqual([]);
      // Approved for alice: bob's claim of the same name is held on its own.
      expect((await r.publish(bob, packageBuilder('lodahs', '1.0.0'))).json().code).toBe('NameHeldForReview');
      expect((await r.publish(alice, packageBuilder('lodahs', '1.0.0'))).statusCode).toBe(201);
    });

    it('refuses a rejected claim with the look-alike named', async () => {
      expect((await r.publish(alice, packageBuilder('axioz', '1.0.0'))).json().code).toBe('NameHeldForReview');
      const reject = await r.inject({
        method: 'POST',
        url: `${ADMIN}/claims/axioz/reject`,
        headers: auth(root),
        payload: { user: 'alice' },
      });
      expect([reject.statusCode, reject.json().state]).toEqual([200, 'rejected']);
      const again = await r.publish(alice, packageBuilder('axioz', '1.0.0'));
      expect([again.statusCode, again.json().code]).toEqual([403, 'NameTooSimilar']);
    });

    it('refuses a decision on no pending claim, or without a claimant, changing nothing', async () => {
      const before = await r.registry.store.events.latestSeq();
      const none = await r.inject({
        method: 'POST',
        url: `${ADMIN}/claims/axioz/approve`,
        headers: auth(root),
        payload: { user: 'alice' },
      });
      expect([none.statusCode, none.json().code]).toEqual([404, 'NameClaimNotFound']);
      const noUser = await r.inject({ method: 'POST', url: `${ADMIN}/claims/lodahs/approve`, headers: auth(root), payload: {} });
      expect([noUser.statusCode, noUser.json().code]).toEqual([400, 'BadRequest']);
      const verb = await r.inject({
        method: 'POST',
        url: `${ADMIN}/claims/lodahs/bless`,
        headers: auth(root),
        payload: { user: 'bob' },
      });
      expect(verb.statusCode).toBe(404);
      const asBob = await r.inject({
        method: 'POST',
        url: `${ADMIN}/claims/lodahs/approve`,
        headers: auth(bob),
        payload: { user: 'bob' },
      });
      expect([asBob.statusCode, asBob.json().code]).toEqual([403, 'Forbidden']);
      expect(await eventTypesSince(r, before)).toEqual([]);
    });
  });

  describe(`typosquatting, a deployment's own protected list (${engine})`, () => {
    const folder = mkdtempSync(join(tmpdir(), 'gatehouse-protected-'));
    afterAll(() => rmSync(folder, { recursive: true, force: true }));

    it('protects the names of GATEHOUSE_PROTECTED_NAMES instead of the bundled list', async () => {
      const file = join(folder, 'names.tsv');
      writeFileSync(file, 'name\tdownloads_a_month\nacme-internal\t90000\n@acme/platform\t5000\n');
      const r = await startRegistry(engine, { config: { protectedNames: file } });
      try {
        const alice = await r.createUser('alice');
        expect((await r.publish(alice, packageBuilder('acme-internal', '1.0.0'))).json().code).toBe('NameProtected');
        expect((await r.publish(alice, packageBuilder('acme-internl', '1.0.0'))).json().code).toBe('NameTooSimilar');
        expect((await r.publish(alice, packageBuilder('acme-platform', '1.0.0'))).json().code).toBe('NameTooSimilar');
        // The bundled list is replaced, not added to.
        expect((await r.publish(alice, packageBuilder('lodahs', '1.0.0'))).statusCode).toBe(201);
      } finally {
        await r.close();
      }
    });

    it('does not start with a malformed list, rather than protect less', async () => {
      const file = join(folder, 'bad.tsv');
      writeFileSync(file, 'acme-internal\t90000\n');
      const db = await freshDatabase(engine, { protectedNames: file });
      try {
        await expect(openRegistry(db.config)).rejects.toThrow(ProtectedListError);
      } finally {
        await db.dispose();
      }
    });
  });
}
