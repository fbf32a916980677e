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
import { localSigstore, purl, BUNDLE_V03, type BuildIdentity, type LocalSigstore } from '../support/sigstore.js';
import { packageBuilder, type PackageBuilder } from '../fixtures/package-builder.js';
import { bearer, escaped, packument } from '../support/npm-protocol.js';

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
      const body = builder.publishBody(r.url) as { _attachments: Record<string, unknown> };
      if (bundle !== undefined) {
        const data = typeof bundle === 'string' ? bundle : JSON.stringify(bundle);
        body._attachments[`${builder.name}-${builder.version}.sigstore`] = {
          content_type: BUNDLE_V03,
          data,
          length: data.length,
        };
      }
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
  });
}
