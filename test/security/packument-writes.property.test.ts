// Property test of the packument write-backs npm sends (`npm deprecate` PUTs the whole document to
// /name, `npm owner` and `npm unpublish` to /name/-rev/REV): a maintainer's document with random
// edits gets a 2xx or a 4xx with a catalog code, never a 500; a refusal changes nothing; and
// whatever is accepted, no surviving version's integrity or tarball bytes ever change.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { packageBuilder } from '../fixtures/package-builder.js';
import { bearer, escaped, packument, published, type Packument } from '../support/npm-protocol.js';
import { ERROR_STATUS } from '../../src/domain/errors.js';
import { fuzzParameters } from '../support/fuzz.js';

const KEYS = [
  'versions',
  '1.0.0',
  '1.1.0',
  'deprecated',
  'dist',
  'integrity',
  'tarball',
  'maintainers',
  'dist-tags',
  'latest',
  '_rev',
  'name',
  'version',
  'time',
  '0',
  '__proto__',
];
// The fields npm's write-backs carry, so edits land where the handlers look as well as anywhere else.
const FIELDS: string[][] = [
  ['versions'],
  ['versions', '1.0.0'],
  ['versions', '1.1.0'],
  ['versions', '1.0.0', 'deprecated'],
  ['versions', '1.1.0', 'deprecated'],
  ['versions', '1.0.0', 'dist', 'integrity'],
  ['versions', '1.0.0', 'version'],
  ['versions', '9.9.9'],
  ['maintainers'],
  ['maintainers', '0', 'name'],
  ['maintainers', '1'],
  ['dist-tags', 'latest'],
  ['_rev'],
  ['name'],
  ['_id'],
];
const edit = fc.record({
  path: fc.oneof(
    fc.constantFrom(...FIELDS),
    fc.array(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 6 })), { minLength: 1, maxLength: 4 }),
  ),
  value: fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.constant(undefined),
    fc.constantFrom('bob', { name: 'bob', email: 'bob@example.com' }, 'deprecated: use 2', '', '1.1.0'),
  ),
});
const request = fc.record({ edits: fc.array(edit, { minLength: 1, maxLength: 3 }), viaRev: fc.boolean() });

/** Sets (or, for undefined, deletes) the value at `path`, making objects on the way. */
function applyEdit(doc: Record<string, unknown>, path: string[], value: unknown): void {
  let at = doc;
  for (const key of path.slice(0, -1)) {
    const next = Object.prototype.hasOwnProperty.call(at, key) ? at[key] : undefined;
    if (typeof next === 'object' && next !== null) at = next as Record<string, unknown>;
    else {
      const made: Record<string, unknown> = {};
      Object.defineProperty(at, key, { value: made, enumerable: true, writable: true, configurable: true });
      at = made;
    }
  }
  const last = path[path.length - 1]!;
  if (value === undefined) Reflect.deleteProperty(at, last);
  else Object.defineProperty(at, last, { value, enumerable: true, writable: true, configurable: true });
}

for (const engine of ENGINES) {
  describe(`packument write-backs under random edits (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    let n = 0;
    const statuses = new Map<number, number>();

    beforeAll(async () => {
      r = await startRegistry(engine);
      alice = await r.createUser('alice');
      await r.createUser('bob');
    });
    afterAll(() => r.close());

    const tarballSha = async (url: string) => {
      const res = await r.inject({ method: 'GET', url: new URL(url).pathname });
      return res.statusCode === 200 ? createHash('sha512').update(res.rawPayload).digest('base64') : undefined;
    };

    it('answers 2xx or a catalog 4xx, changes nothing when it refuses, and never changes a version', async () => {
      await fc.assert(
        fc.asyncProperty(request, async ({ edits, viaRev }) => {
          const name = `doc-fuzz-${++n}`;
          for (const v of ['1.0.0', '1.1.0']) await published(r, alice, packageBuilder(name, v).file('index.js', `// ${v}`));
          const before = await packument(r, name, alice.token);
          const seq = await r.registry.store.events.latestSeq();
          const doc = JSON.parse(JSON.stringify(before)) as Record<string, unknown>;
          for (const e of edits) {
            try {
              applyEdit(doc, e.path, e.value);
            } catch {
              // An edit JSON cannot express (an array's length set to an object): skipped.
            }
          }
          const res = await r.inject({
            method: 'PUT',
            url: viaRev ? `/${escaped(name)}/-rev/${encodeURIComponent(before._rev)}` : `/${escaped(name)}`,
            headers: { ...bearer(alice.token), 'content-type': 'application/json' },
            payload: JSON.stringify(doc),
          });
          expect(res.statusCode, res.body).toBeLessThan(500);
          statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
          const after = await r.inject({ method: 'GET', url: `/${escaped(name)}?write=true`, headers: bearer(alice.token) });
          if (res.statusCode >= 400) {
            expect(Object.keys(ERROR_STATUS)).toContain(res.json<{ code: string }>().code);
            expect(after.json()).toEqual(before);
            expect(await r.registry.store.events.latestSeq()).toBe(seq);
            return;
          }
          if (after.statusCode !== 200) return; // the whole package was unpublished
          for (const [version, meta] of Object.entries(after.json<Packument>().versions)) {
            const original = before.versions[version]!;
            expect(meta.dist.integrity).toBe(original.dist.integrity);
            expect(`sha512-${await tarballSha(meta.dist.tarball)}`).toBe(original.dist.integrity);
          }
        }),
        fuzzParameters(25),
      );
      // Printed, not asserted: how many edits were accepted and how many refused.
      console.log(`packument write-backs (${engine}):`, Object.fromEntries(statuses));
    });
  });
}
