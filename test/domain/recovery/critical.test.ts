// Critical packages: the top percent of packages by downloads over the last 30 complete days, at
// least the top few on a small registry, never one under the download floor; recomputed lists
// replace the stored one. Both engines, ManualClock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../../support/registry.js';
import * as npm from '../../support/npm-protocol.js';
import { packageBuilder } from '../../fixtures/package-builder.js';
import { ManualClock } from '../../../src/domain/clock.js';
import { addDays, dayOf } from '../../../src/domain/downloads/days.js';
import { CriticalPackages, criticalPlaces } from '../../../src/domain/packages/critical.js';

describe('critical places', () => {
  it('is the top percent, at least the minimum', () => {
    const rule = { percent: 1, floor: 1000, minTop: 5 };
    expect(criticalPlaces(0, rule)).toBe(5);
    expect(criticalPlaces(300, rule)).toBe(5);
    expect(criticalPlaces(1000, rule)).toBe(10);
    expect(criticalPlaces(1001, rule)).toBe(11);
    expect(criticalPlaces(1000, { ...rule, minTop: 0 })).toBe(10);
  });
});

for (const engine of ENGINES) {
  describe(`critical packages (${engine})`, () => {
    const clock = new ManualClock('2031-09-15T06:00:00.000Z');
    let r: TestRegistry;
    let owner: TestUser;
    let other: TestUser;
    const today = dayOf(clock.now());
    const add = (name: string, daysAgo: number, count: number) =>
      r.registry.store.downloads.add([{ packageName: name, version: '1.0.0', day: addDays(today, -daysAgo), count }]);
    const critical = (rule = { percent: 1, floor: 100, minTop: 3 }) =>
      new CriticalPackages({ store: r.registry.store, clock, rule });

    beforeAll(async () => {
      // pg is on the protected list; typosquatting is tested in test/http/typosquatting.test.ts.
      r = await startRegistry(engine, { deps: { clock }, config: { typosquatPolicy: 'off' } });
      owner = await r.createUser('owner');
      other = await r.createUser('other');
      for (const name of ['pa', 'pb', 'pc', 'pd', 'pe', 'pf', 'pg']) {
        await npm.published(r, name === 'pg' ? other : owner, packageBuilder(name, '1.0.0').file('index.js', '1;\n'));
      }
      await add('pa', 1, 1000);
      await add('pb', 2, 300);
      await add('pb', 30, 200); // the 30th day back still counts
      await add('pc', 5, 500);
      await add('pd', 3, 200);
      await add('pe', 1, 99); // under the floor
      await add('pf', 31, 100_000); // too old
      await add('pf', 0, 100_000); // today is not complete yet
      await add('pg', 1, 150);
    });
    afterAll(() => r.close());

    it('ranks the last 30 complete days, ties by name, and keeps the top places over the floor', async () => {
      const list = await critical().compute();
      expect(list).toEqual([
        { name: 'pa', downloads: 1000 },
        { name: 'pb', downloads: 500 },
        { name: 'pc', downloads: 500 },
      ]);
      expect(await r.registry.critical.isCritical('pb')).toBe(true);
      expect(await r.registry.critical.isCritical('pd')).toBe(false);
      expect(await r.registry.critical.criticalMaintainer(owner.user.id)).toBe(true);
      expect(await r.registry.critical.criticalMaintainer(other.user.id)).toBe(false);
    });

    it('takes the percentage when it is more than the minimum, and never a package under the floor', async () => {
      const list = await critical({ percent: 100, floor: 100, minTop: 0 }).compute();
      expect(list.map((p) => p.name)).toEqual(['pa', 'pb', 'pc', 'pd', 'pg']);
      expect(await r.registry.critical.criticalMaintainer(other.user.id)).toBe(true);
    });

    it('replaces the stored list on each run', async () => {
      await add('pd', 1, 5000);
      const list = await critical().compute();
      expect(list.map((p) => p.name)).toEqual(['pd', 'pa', 'pb']);
      expect((await r.registry.critical.list()).map((p) => p.name)).toEqual(['pd', 'pa', 'pb']);
      expect(await r.registry.critical.isCritical('pc')).toBe(false);
      expect(await r.registry.critical.isCritical('pg')).toBe(false);
    });
  });
}
