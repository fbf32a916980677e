// Publishes racing each other over real HTTP against a listening registry: the same name@version
// with different bytes, many versions of one new package at once, and users racing for one name.
// Whatever the interleaving, a version has exactly one set of bytes and a package one set of owners.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { packageBuilder } from '../fixtures/package-builder.js';
import {
  attempt,
  download,
  getPackument,
  putPublish,
  sha512Integrity,
  type Packument,
  type PublishAttempt,
} from './publish-client.js';

const RACERS = 8;
const ROUNDS = Number(process.env.RACE_ROUNDS ?? 4);
const PARALLEL_VERSIONS = 20;

async function expectServedIntact(r: TestRegistry, a: PublishAttempt): Promise<void> {
  const doc = await getPackument(r.url, a.name);
  const entry = doc?.versions[a.version];
  expect(entry?.dist.integrity).toBe(a.integrity);
  const tarball = await download(entry!.dist.tarball);
  expect(tarball.status).toBe(200);
  expect(sha512Integrity(tarball.bytes)).toBe(a.integrity);
}

async function eventsFor(r: TestRegistry, name: string) {
  const all = await r.registry.store.events.since(0, 100_000);
  return all.filter((e) => e.packageName === name);
}

for (const engine of ENGINES) {
  describe(`concurrent publishes (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    const rivals: TestUser[] = [];
    beforeAll(async () => {
      r = await startRegistry(engine, { listen: true });
      alice = await r.createUser('alice');
      for (const name of ['bob', 'carol', 'dave']) rivals.push(await r.createUser(name));
    });
    afterAll(() => r.close());

    it(
      'one of many racing publishes of the same version wins; the rest get 409 and the winner’s bytes are served',
      { timeout: 240_000 },
      async () => {
        for (let round = 0; round < ROUNDS; round++) {
          // Round 0 also creates the package, so the package row itself is raced for.
          const version = `${round + 1}.0.0`;
          const attempts = Array.from({ length: RACERS }, (_, i) =>
            attempt(
              'same-version',
              version,
              packageBuilder('same-version', version).file('index.js', `module.exports = ${i};\n`).publishBody(r.url),
            ),
          );
          expect(new Set(attempts.map((a) => a.integrity)).size).toBe(RACERS);
          const answers = await Promise.all(attempts.map((a) => putPublish(r.url, alice.token, a)));
          const winners = answers.flatMap((answer, i) => (answer.status >= 200 && answer.status < 300 ? [attempts[i]!] : []));
          const seen = `round ${round}: ${JSON.stringify(answers)}`;
          expect(winners, seen).toHaveLength(1);
          expect(
            answers.filter((a) => a.status === 409),
            seen,
          ).toHaveLength(RACERS - 1);
          await expectServedIntact(r, winners[0]!);
        }
        const events = await eventsFor(r, 'same-version');
        expect(events.filter((e) => e.type === 'package.published')).toHaveLength(ROUNDS);
      },
    );

    it(
      'loses none of twenty versions published at once, the first publish of the package among them',
      { timeout: 240_000 },
      async () => {
        const name = 'many-at-once';
        const attempts = Array.from({ length: PARALLEL_VERSIONS }, (_, i) =>
          attempt(
            name,
            `1.0.${i}`,
            packageBuilder(name, `1.0.${i}`).file('index.js', `module.exports = ${i};\n`).publishBody(r.url),
          ),
        );
        const answers = await Promise.all(attempts.map((a) => putPublish(r.url, alice.token, a)));
        expect(answers.map((a) => a.status)).toEqual(attempts.map(() => 201));
        const doc = await getPackument(r.url, name);
        expect(Object.keys(doc?.versions ?? {}).sort()).toEqual(attempts.map((a) => a.version).sort());
        expect(attempts.map((a) => a.version)).toContain(doc?.['dist-tags'].latest);
        for (const a of attempts) await expectServedIntact(r, a);
        const published = (await eventsFor(r, name)).filter((e) => e.type === 'package.published');
        expect(published.map((e) => e.version).sort()).toEqual(attempts.map((a) => a.version).sort());
      },
    );

    it(
      'lists each version as soon as its publish is acknowledged, while others keep reading the package',
      { timeout: 240_000 },
      async () => {
        // `npm publish && npm install` in CI: the install's GET comes right after the 201 and must see the version.
        const name = 'read-while-publishing';
        // Long manifests make each packument build take a while, as a package with a long history does.
        const release = (version: string) =>
          attempt(
            name,
            version,
            packageBuilder(name, version)
              .packageJson({ notes: `${version} `.repeat(5_000) })
              .publishBody(r.url),
          );
        const first = release('0.0.1');
        expect((await putPublish(r.url, alice.token, first)).status).toBe(201);
        let publishing = true;
        // These readers skip the cache as npm does before owner, dist-tag and deprecate commands
        // (`?write=true`, honoured for an owner only), so a packument build is nearly always under
        // way when a publish commits.
        const owner = { headers: { authorization: `Bearer ${alice.token}` } };
        const readers = Array.from({ length: 4 }, async () => {
          while (publishing) await (await fetch(`${r.url}/${name}?write=true`, owner)).arrayBuffer();
        });
        const unseen: string[] = [];
        try {
          for (let i = 0; i < 25; i++) {
            const a = release(`1.0.${i}`);
            expect((await putPublish(r.url, alice.token, a)).status).toBe(201);
            const doc = (await (await fetch(`${r.url}/${name}`)).json()) as Packument;
            if (!doc.versions[a.version]) unseen.push(a.version);
          }
        } finally {
          publishing = false;
          await Promise.all(readers);
        }
        expect(unseen, 'acknowledged but missing from the next read').toEqual([]);
      },
    );

    it(
      'gives a new name raced for by two users to exactly one of them, keeping nothing of the other',
      { timeout: 240_000 },
      async () => {
        for (let round = 0; round < ROUNDS; round++) {
          const name = `contested-${round}`;
          const users = [alice, rivals[0]!];
          const attempts = users.map((u) =>
            attempt(name, '1.0.0', packageBuilder(name, '1.0.0').file('index.js', `// by ${u.user.name}\n`).publishBody(r.url)),
          );
          const answers = await Promise.all(attempts.map((a, i) => putPublish(r.url, users[i]!.token, a)));
          const won = answers.map((a) => a.status === 201);
          expect(won.filter(Boolean), `round ${round}: ${answers.map((a) => a.status).join(' ')}`).toHaveLength(1);
          const winner = won.indexOf(true);
          const loser = 1 - winner;
          expect([403, 409]).toContain(answers[loser]!.status);

          const owners = await r.registry.store.packages.owners(name);
          expect(owners.map((o) => o.id)).toEqual([users[winner]!.user.id]);
          const versions = await r.registry.store.packages.versions(name);
          expect(versions.map((v) => v.publisher)).toEqual([{ kind: 'user', userId: users[winner]!.user.id }]);
          const events = await eventsFor(r, name);
          expect(events.map((e) => e.actor)).toEqual([{ kind: 'user', userId: users[winner]!.user.id }]);
          await expectServedIntact(r, attempts[winner]!);
        }
      },
    );

    it('lets only one of several users racing to claim a new scope into it', { timeout: 240_000 }, async () => {
      // The first publish in a scope claims it: afterwards only its owners may add packages there
      // (authorize.ts). Racing first publishes of different names in one scope must not let two in.
      const claimants = [alice, ...rivals];
      for (let round = 0; round < ROUNDS; round++) {
        const scope = `@claim${round}`;
        const attempts = claimants.map((u) => {
          const name = `${scope}/by-${u.user.name}`;
          return attempt(name, '1.0.0', packageBuilder(name, '1.0.0').file('index.js', '\n').publishBody(r.url));
        });
        const answers = await Promise.all(attempts.map((a, i) => putPublish(r.url, claimants[i]!.token, a)));
        const statuses = answers.map((a) => a.status);
        expect(
          statuses.filter((s) => s === 201),
          `round ${round}: ${statuses.join(' ')}`,
        ).toHaveLength(1);
        expect(statuses.filter((s) => s === 403)).toHaveLength(claimants.length - 1);
        const ownersInScope = await r.registry.store.packages.scopeOwners(scope);
        expect(ownersInScope).toHaveLength(1);
      }
    });
  });
}
