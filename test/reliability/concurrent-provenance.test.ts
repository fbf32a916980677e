// Provenance continuity under racing publishes, over real HTTP against a listening registry: the
// continuity rule ("a version naming another source repository than earlier versions is refused")
// is decided inside the commit transaction, so versions from different repositories published at
// the same moment cannot all pass it; exactly one is accepted and the rest get 409.
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { localSigstore, purl, BUNDLE_V03, type LocalSigstore } from '../support/sigstore.js';
import { packageBuilder } from '../fixtures/package-builder.js';
import { attempt, getPackument, putPublish } from './publish-client.js';

const RACERS = 4;
const ROUNDS = Number(process.env.RACE_ROUNDS ?? 3);

for (const engine of ENGINES) {
  describe(`concurrent publishes with provenance (${engine})`, () => {
    let r: TestRegistry;
    let sigstore: LocalSigstore;
    let alice: TestUser;

    beforeAll(async () => {
      sigstore = await localSigstore();
      const rootPath = join(mkdtempSync(join(tmpdir(), 'gatehouse-race-prov-')), 'trusted_root.json');
      writeFileSync(rootPath, JSON.stringify(sigstore.trustedRoot));
      r = await startRegistry(engine, { listen: true, config: { provenanceTrustedRoot: rootPath } });
      alice = await r.createUser('alice');
    });
    afterAll(() => r.close());

    /** A publish of name@version whose provenance says it was built from github.com/<repository>. */
    async function withProvenance(name: string, version: string, repository: string) {
      const builder = packageBuilder(name, version);
      const sha512Hex = createHash('sha512').update(builder.tarball()).digest('hex');
      const bundle = JSON.stringify(await sigstore.provenance([{ name: purl(name, version), sha512Hex }], { repository }));
      const body = builder.publishBody(r.url) as { _attachments: Record<string, unknown> };
      body._attachments[`${name}-${version}.sigstore`] = { content_type: BUNDLE_V03, data: bundle, length: bundle.length };
      return attempt(name, version, body as Record<string, unknown>);
    }

    it(
      'of versions from different source repositories published at once, exactly one is accepted',
      { timeout: 240_000 },
      async () => {
        for (let round = 0; round < ROUNDS; round++) {
          const name = `raced-provenance-${round}`;
          // The package exists without provenance, so any first repository may be named: the race is
          // over which one becomes the package's source.
          expect((await r.publish(alice, packageBuilder(name, '0.1.0'))).statusCode).toBe(201);
          const attempts = await Promise.all(
            Array.from({ length: RACERS }, (_, i) => withProvenance(name, `1.0.${i}`, `racer-${i}/${name}`)),
          );
          const answers = await Promise.all(attempts.map((a) => putPublish(r.url, alice.token, a)));
          const seen = `round ${round}: ${JSON.stringify(answers)}`;
          expect(
            answers.filter((a) => a.status === 201),
            seen,
          ).toHaveLength(1);
          const refused = answers.filter((a) => a.status !== 201);
          expect(
            refused.map((a) => [a.status, (a.body as { code?: string }).code]),
            seen,
          ).toEqual(Array.from({ length: RACERS - 1 }, () => [409, 'ProvenanceSourceChanged']));
          const doc = await getPackument(r.url, name);
          expect(Object.keys(doc!.versions).sort(), seen).toHaveLength(2);
        }
      },
    );
  });
}
