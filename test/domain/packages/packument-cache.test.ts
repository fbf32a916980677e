// The packument cache keeps small packages ready however large one package is: an entry over its
// share of the budget is served but never cached, so reading it cannot evict everyone else, and
// the version documents kept beside an entry count against the same budget.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../../support/registry.js';
import { packageBuilder } from '../../fixtures/package-builder.js';

for (const engine of ENGINES) {
  describe(`packument cache budget (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    const SMALL = ['small-a', 'small-b', 'small-c'];

    beforeAll(async () => {
      // 300 kB of read cache: 200 kB for packuments, so a 150 kB packument fits the budget alone.
      r = await startRegistry(engine, { config: { readCacheBytes: 300_000 } });
      alice = await r.createUser('alice');
      for (const name of SMALL) expect((await r.publish(alice, packageBuilder(name, '1.0.0'))).statusCode).toBe(201);
      const big = packageBuilder('big-readme', '1.0.0').readme(`# Big\n${'x'.repeat(150_000)}`);
      expect((await r.publish(alice, big)).statusCode).toBe(201);
    });
    afterAll(() => r.close());

    const read = (name: string) => r.inject({ method: 'GET', url: `/${name}` });

    it('serves a large packument without emptying the cache of the others', async () => {
      for (const name of SMALL) expect((await read(name)).statusCode).toBe(200);
      for (const name of SMALL) expect(r.registry.packages.packuments.peek(name)).toBeDefined();
      const big = await read('big-readme');
      expect(big.statusCode).toBe(200);
      expect(big.json<{ readme: string }>().readme.length).toBeGreaterThan(150_000);
      expect(r.registry.packages.packuments.peek('big-readme')).toBeUndefined();
      for (const name of SMALL) expect(r.registry.packages.packuments.peek(name)).toBeDefined();
      // Served again, from a fresh build, with the same bytes.
      expect((await read('big-readme')).body).toBe(big.body);
    });

    it('counts the version documents it keeps against the budget: a package that outgrows its share is dropped', async () => {
      // Six versions of 2 kB each: the packument (about 16 kB) fits its 25 kB share, but not with
      // its six version documents kept beside it.
      for (let i = 0; i < 6; i++) {
        const pkg = packageBuilder('many-docs', `1.0.${i}`).packageJson({ description: `${i}`.repeat(2000) });
        expect((await r.publish(alice, pkg)).statusCode).toBe(201);
      }
      expect((await read('many-docs')).statusCode).toBe(200);
      expect(r.registry.packages.packuments.peek('many-docs')).toBeDefined();
      const docs: string[] = [];
      for (let i = 0; i < 6; i++) {
        const answer = await read(`many-docs/1.0.${i}`);
        expect(answer.statusCode).toBe(200);
        docs.push(answer.body);
      }
      expect(r.registry.packages.packuments.peek('many-docs')).toBeUndefined();
      for (const name of SMALL) expect(r.registry.packages.packuments.peek(name)).toBeDefined();
      // Still served, the same bytes, once rebuilt.
      for (let i = 0; i < 6; i++) expect((await read(`many-docs/1.0.${i}`)).body).toBe(docs[i]);
    });
  });
}
