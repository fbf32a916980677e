// The packument cache keeps small packages ready however large one package is: an entry over its
// share of the budget is served but never cached, so reading it cannot evict everyone else.
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
  });
}
