// Build provenance on publish: a Sigstore bundle attached as `npm publish --provenance` does
// (`<name>-<version>.sigstore`), verified against a local trust root (test/support/sigstore.ts),
// stored with the version, linked from dist.attestations and served at
// /-/npm/v1/attestations/<name>@<version>. Every bad bundle is a 4xx that leaves no trace.
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { localSigstore, purl, withProvenance, BUNDLE_V03, type BuildIdentity, type LocalSigstore } from '../support/sigstore.js';
import { packageBuilder, type PackageBuilder } from '../fixtures/package-builder.js';
import { bearer, escaped, packument } from '../support/npm-protocol.js';
import { enrolTotp } from '../support/mfa.js';
import { recipientsOf } from '../../src/domain/mail/recipients.js';
import { MAILED_EVENTS } from '../../src/domain/mail/index.js';

const SLSA = 'https://slsa.dev/provenance/v1';

function sha512Hex(builder: PackageBuilder): string {
  return createHash('sha512').update(builder.tarball()).digest('hex');
}

for (const engine of ENGINES) {
  describe(`build provenance (${engine})`, () => {
    let r: TestRegistry;
    let sigstore: LocalSigstore;
    let untrusted: LocalSigstore;
    let alice: TestUser;

    beforeAll(async () => {
      sigstore = await localSigstore();
      untrusted = await localSigstore();
      const dir = mkdtempSync(join(tmpdir(), 'gatehouse-provenance-'));
      const rootPath = join(dir, 'trusted_root.json');
      writeFileSync(rootPath, JSON.stringify(sigstore.trustedRoot));
      r = await startRegistry(engine, { config: { provenanceTrustedRoot: rootPath } });
      alice = await r.createUser('alice');
    });
    afterAll(async () => {
      await r.close();
    });

    async function bundleFor(builder: PackageBuilder, identity: BuildIdentity, from = sigstore, digest = sha512Hex(builder)) {
      return from.provenance([{ name: purl(builder.name, builder.version), sha512Hex: digest }], identity);
    }

    function publishWith(user: TestUser, builder: PackageBuilder, bundle: unknown) {
      const plain = builder.publishBody(r.url);
      const body = bundle === undefined ? plain : withProvenance(plain, builder.name, builder.version, bundle);
      return r.inject({ method: 'PUT', url: `/${escaped(builder.name)}`, headers: bearer(user.token), payload: body });
    }

    const attestations = (spec: string) => r.inject({ method: 'GET', url: `/-/npm/v1/attestations/${spec}` });

    async function leftNoTrace(name: string, version: string) {
      const res = await r.inject({ method: 'GET', url: `/${escaped(name)}/${version}` });
      expect(res.statusCode).toBe(404);
      expect((await attestations(`${escaped(name)}@${version}`)).statusCode).toBe(404);
    }

    it('accepts a verified bundle, stores it, links it from dist.attestations and serves it back', async () => {
      const builder = packageBuilder('@acme/widget', '1.0.0');
      const bundle = await bundleFor(builder, { repository: 'acme/widget', commit: 'c'.repeat(40) });
      const res = await publishWith(alice, builder, bundle);
      expect(res.statusCode, res.body).toBe(201);
      const doc = await packument(r, '@acme/widget');
      const dist = doc.versions['1.0.0']!.dist as Record<string, unknown>;
      expect(dist.attestations).toEqual({
        url: `${r.url}/-/npm/v1/attestations/@acme%2fwidget@1.0.0`,
        provenance: { predicateType: SLSA },
      });
      for (const spec of ['@acme%2fwidget@1.0.0', '@acme/widget@1.0.0']) {
        const served = await attestations(spec);
        expect(served.statusCode).toBe(200);
        expect(served.json()).toEqual({ attestations: [{ predicateType: SLSA, bundle }] });
      }
    });

    it('refuses a malformed bundle', async () => {
      const builder = packageBuilder('malformed-prov', '1.0.0');
      for (const bad of ['{not json', JSON.stringify({ mediaType: BUNDLE_V03 }), JSON.stringify([1, 2])]) {
        const res = await publishWith(alice, builder, bad);
        expect(res.statusCode).toBe(400);
        expect(res.json().code).toBe('ProvenanceMalformed');
      }
      await leftNoTrace('malformed-prov', '1.0.0');
    });

    it('refuses a bundle made for another tarball', async () => {
      const builder = packageBuilder('wrong-digest', '1.0.0');
      const bundle = await bundleFor(builder, { repository: 'acme/wrong' }, sigstore, 'ab'.repeat(64));
      const res = await publishWith(alice, builder, bundle);
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('ProvenanceSubjectMismatch');
      const other = packageBuilder('wrong-digest', '1.0.1');
      const forOther = await bundleFor(other, { repository: 'acme/wrong' });
      const res2 = await publishWith(alice, builder, forOther);
      expect(res2.json().code).toBe('ProvenanceSubjectMismatch');
      await leftNoTrace('wrong-digest', '1.0.0');
    });

    it('refuses a bundle chained to a root this registry does not trust', async () => {
      const builder = packageBuilder('untrusted-prov', '1.0.0');
      const res = await publishWith(alice, builder, await bundleFor(builder, { repository: 'acme/untrusted' }, untrusted));
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('ProvenanceUntrusted');
      await leftNoTrace('untrusted-prov', '1.0.0');
    });

    it('refuses a bundle whose signature was altered', async () => {
      const builder = packageBuilder('altered-prov', '1.0.0');
      const bundle = (await bundleFor(builder, { repository: 'acme/altered' })) as {
        dsseEnvelope: { signatures: { sig: string }[] };
      };
      const sig = Buffer.from(bundle.dsseEnvelope.signatures[0]!.sig, 'base64');
      sig.writeUInt8(sig.readUInt8(sig.length - 1) ^ 1, sig.length - 1);
      bundle.dsseEnvelope.signatures[0]!.sig = sig.toString('base64');
      const res = await publishWith(alice, builder, bundle);
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('ProvenanceUntrusted');
      await leftNoTrace('altered-prov', '1.0.0');
    });

    it('a version without provenance has no dist.attestations and no attestations to serve', async () => {
      const builder = packageBuilder('plain-pkg', '1.0.0');
      expect((await r.publish(alice, builder)).statusCode).toBe(201);
      const doc = await packument(r, 'plain-pkg');
      expect((doc.versions['1.0.0']!.dist as Record<string, unknown>).attestations).toBeUndefined();
      const res = await attestations('plain-pkg@1.0.0');
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('AttestationsNotFound');
    });

    const declare = (user: TestUser, name: string, body: unknown) =>
      r.inject({
        method: 'PUT',
        url: `/-/gatehouse/provenance/${escaped(name)}`,
        headers: bearer(user.token),
        payload: body as object,
      });

    it('refuses provenance from another repository until an owner declares it, then allows it once', async () => {
      const v1 = packageBuilder('moving-pkg', '1.0.0');
      expect((await publishWith(alice, v1, await bundleFor(v1, { repository: 'acme/old' }))).statusCode).toBe(201);
      const v2 = packageBuilder('moving-pkg', '1.1.0');
      const moved = await bundleFor(v2, { repository: 'evil/fork' });
      const refused = await publishWith(alice, v2, moved);
      expect(refused.statusCode).toBe(409);
      expect(refused.json().code).toBe('ProvenanceSourceChanged');
      await leftNoTrace('moving-pkg', '1.1.0');
      const mallory = await r.createUser('mallory');
      const notOwner = await declare(mallory, 'moving-pkg', { repository: 'https://github.com/evil/fork' });
      expect(notOwner.statusCode).toBe(403);
      expect((await declare(alice, 'moving-pkg', { repository: 'nonsense' })).statusCode).toBe(400);
      expect((await declare(alice, 'moving-pkg', { repository: 'https://github.com/acme/new' })).statusCode).toBe(200);
      // The declaration names acme/new, not evil/fork.
      expect((await publishWith(alice, v2, moved)).json().code).toBe('ProvenanceSourceChanged');
      const okNew = await publishWith(alice, v2, await bundleFor(v2, { repository: 'acme/new' }));
      expect(okNew.statusCode, okNew.body).toBe(201);
      const v3 = packageBuilder('moving-pkg', '1.2.0');
      expect((await publishWith(alice, v3, await bundleFor(v3, { repository: 'acme/old' }))).json().code).toBe(
        'ProvenanceSourceChanged',
      );
    });

    it('asks an owner with a second factor for it before a declaration, records it and mails every owner', async () => {
      const dana = await r.createUser('dana');
      const v1 = packageBuilder('guarded-pkg', '1.0.0');
      expect((await publishWith(dana, v1, await bundleFor(v1, { repository: 'acme/guarded' }))).statusCode).toBe(201);
      const otp = await enrolTotp(r, dana, 'auth-and-writes');
      const before = await r.registry.store.events.latestSeq();
      const asked = await declare(dana, 'guarded-pkg', { repository: 'https://github.com/acme/next' });
      expect(asked.statusCode).toBe(401);
      expect(asked.json().code).toBe('OtpRequired');
      expect(await r.registry.store.events.latestSeq()).toBe(before);
      expect(await r.registry.store.attestations.declaration('guarded-pkg')).toBeUndefined();
      const ok = await r.inject({
        method: 'PUT',
        url: '/-/gatehouse/provenance/guarded-pkg',
        headers: { ...bearer(dana.token), 'npm-otp': otp.nextCode() },
        payload: { repository: 'https://github.com/acme/next' },
      });
      expect(ok.statusCode, ok.body).toBe(200);
      const event = (await r.registry.store.events.since(before, 100)).find((e) => e.type === 'provenance.declared');
      if (!event) throw new Error('no provenance.declared event');
      expect(event.data).toEqual({ kind: 'repository', repository: 'https://github.com/acme/next' });
      expect((await recipientsOf(event, r.registry.store)).map((x) => x.account)).toEqual(['dana']);
      expect(MAILED_EVENTS.has('provenance.declared')).toBe(true);
    });

    it('refuses a version without provenance after one with it, unless an owner declared that provenance stops', async () => {
      const v1 = packageBuilder('proven-pkg', '1.0.0');
      expect((await publishWith(alice, v1, await bundleFor(v1, { repository: 'acme/proven' }))).statusCode).toBe(201);
      const v2 = packageBuilder('proven-pkg', '1.0.1');
      const refused = await r.publish(alice, v2);
      expect(refused.statusCode).toBe(409);
      expect(refused.json().code).toBe('ProvenanceRequired');
      await leftNoTrace('proven-pkg', '1.0.1');
      expect((await declare(alice, 'proven-pkg', { provenance: 'none' })).statusCode).toBe(200);
      expect((await r.publish(alice, v2)).statusCode).toBe(201);
      expect((await r.publish(alice, packageBuilder('proven-pkg', '1.0.2'))).statusCode).toBe(201);
    });

    it("holds provenance to the package's trusted publishers", async () => {
      const v1 = packageBuilder('trusted-pkg', '1.0.0');
      expect((await r.publish(alice, v1)).statusCode).toBe(201);
      await r.registry.store.trust.insert({
        id: 'tp-1',
        spec: { type: 'github', claims: { repository: 'acme/trusted', workflow_ref: { file: 'release.yml' } } },
        permissions: [],
        packages: ['trusted-pkg'],
        createdBy: alice.user.id,
        createdAt: new Date().toISOString(),
        pendingUntil: null,
      });
      const v2 = packageBuilder('trusted-pkg', '1.1.0');
      const wrongWorkflow = await publishWith(
        alice,
        v2,
        await bundleFor(v2, { repository: 'acme/trusted', workflow: 'other.yml' }),
      );
      expect(wrongWorkflow.statusCode).toBe(403);
      expect(wrongWorkflow.json().code).toBe('ProvenanceIdentityMismatch');
      const wrongRepo = await publishWith(alice, v2, await bundleFor(v2, { repository: 'acme/elsewhere' }));
      expect(wrongRepo.json().code).toBe('ProvenanceIdentityMismatch');
      await leftNoTrace('trusted-pkg', '1.1.0');
      expect((await publishWith(alice, v2, await bundleFor(v2, { repository: 'acme/trusted' }))).statusCode).toBe(201);
    });
  });
}
