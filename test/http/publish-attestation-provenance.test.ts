// The registry's publish attestation over the requests npm sends: a trusted publish (OIDC
// exchange, then PUT with the minted token) gets a bundle that verifies with @sigstore/verify
// against the local log's trust root and the registry key from /-/npm/v1/keys; a publish with a
// token gets none; a log that does not answer fails the publish and leaves nothing behind.
import { createPublicKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { githubClaims, startOidcIssuer, type OidcIssuer } from '../support/oidc-issuer.js';
import { localSigstore, type LocalSigstore } from '../support/sigstore.js';
import { packageBuilder } from '../fixtures/package-builder.js';
import { bearer, packument, published } from '../support/npm-protocol.js';

const AUDIENCE = 'npm:registry.test';
const PUBLISH_V01 = 'https://github.com/npm/attestation/tree/main/specs/publish/v0.1';

for (const engine of ENGINES) {
  describe(`publish attestation (${engine})`, () => {
    let issuer: OidcIssuer;
    let sigstore: LocalSigstore;
    let rekor: Awaited<ReturnType<LocalSigstore['startRekor']>>;
    let r: TestRegistry;
    let down: TestRegistry;
    let alice: TestUser;

    async function trustedPublish(on: TestRegistry, name: string, version: string) {
      const idToken = await issuer.sign({ aud: AUDIENCE, ...githubClaims('acme/widget', 'release.yml') });
      const exchanged = await on.inject({
        method: 'POST',
        url: `/-/npm/v1/oidc/token/exchange/package/${name}`,
        headers: bearer(idToken),
      });
      expect(exchanged.statusCode, exchanged.body).toBe(200);
      return on.inject({
        method: 'PUT',
        url: `/${name}`,
        headers: bearer(exchanged.json<{ token: string }>().token),
        payload: packageBuilder(name, version).publishBody(on.url),
      });
    }

    async function trusting(on: TestRegistry, owner: TestUser, name: string) {
      await published(on, owner, packageBuilder(name, '1.0.0'));
      const res = await on.inject({
        method: 'POST',
        url: `/-/package/${name}/trust`,
        headers: { ...bearer(owner.token), 'content-type': 'application/json' },
        payload: [
          {
            type: 'github',
            claims: { repository: 'acme/widget', workflow_ref: { file: 'release.yml' } },
            permissions: ['createPackage'],
          },
        ],
      });
      expect(res.statusCode, res.body).toBe(201);
    }

    beforeAll(async () => {
      issuer = await startOidcIssuer();
      sigstore = await localSigstore();
      rekor = await sigstore.startRekor();
      r = await startRegistry(engine, { config: { oidcGithubIssuer: issuer.url, publishAttestationLog: rekor.url } });
      // A log nothing listens at: port 9 (discard) on this host refuses the connection.
      down = await startRegistry(engine, {
        config: { oidcGithubIssuer: issuer.url, publishAttestationLog: 'http://127.0.0.1:9' },
      });
      alice = await r.createUser('alice');
      await trusting(r, alice, 'widget');
      await trusting(down, await down.createUser('alice'), 'widget');
    });
    afterAll(async () => {
      await r?.close();
      await down?.close();
      await rekor?.close();
      await issuer?.close();
    });

    it('a trusted publish carries a bundle that verifies against the log root and the registry key', async () => {
      const res = await trustedPublish(r, 'widget', '1.1.0');
      expect(res.statusCode, res.body).toBe(201);
      const served = await r.inject({ method: 'GET', url: '/-/npm/v1/attestations/widget@1.1.0' });
      const [attestation] = served.json<{ attestations: { predicateType: string; bundle: Record<string, unknown> }[] }>()
        .attestations;
      expect(attestation!.predicateType).toBe(PUBLISH_V01);
      const { keys } = (await r.inject({ method: 'GET', url: '/-/npm/v1/keys' })).json<{
        keys: { keyid: string; key: string }[];
      }>();
      const registryKey = createPublicKey({ key: Buffer.from(keys[0]!.key, 'base64'), format: 'der', type: 'spki' });
      const material = toTrustMaterial(TrustedRoot.fromJSON(sigstore.trustedRoot), (hint) => {
        expect(hint).toBe(keys[0]!.keyid);
        return { publicKey: registryKey, validFor: () => true };
      });
      const verifier = new Verifier(material, { tlogThreshold: 1, ctlogThreshold: 0 });
      expect(() => verifier.verify(toSignedEntity(bundleFromJSON(attestation!.bundle)))).not.toThrow();
      // Another key (a fresh registry's) does not verify it.
      const other = (await down.inject({ method: 'GET', url: '/-/npm/v1/keys' })).json<{ keys: { key: string }[] }>().keys[0]!;
      const wrong = toTrustMaterial(TrustedRoot.fromJSON(sigstore.trustedRoot), () => ({
        publicKey: createPublicKey({ key: Buffer.from(other.key, 'base64'), format: 'der', type: 'spki' }),
        validFor: () => true,
      }));
      expect(() =>
        new Verifier(wrong, { tlogThreshold: 1, ctlogThreshold: 0 }).verify(toSignedEntity(bundleFromJSON(attestation!.bundle))),
      ).toThrow();
    });

    it('the package page names the trusted publisher, and claims no build provenance', async () => {
      const page = await r.inject({ method: 'GET', url: '/package/widget/v/1.1.0', headers: { accept: 'text/html' } });
      expect(page.statusCode).toBe(200);
      // The local issuer stands in for GitHub's, so the page names it by its URL.
      expect(page.body).toMatch(new RegExp(`Published by a trusted publisher on\\s+${issuer.url}`));
      expect(page.body).toContain(
        'href="https://github.com/acme/widget/blob/a94a8fe5ccb19ba61c4c0873d391e987982fbbd3/.github/workflows/release.yml"',
      );
      expect(page.body).toContain('href="https://github.com/acme/widget"');
      expect(page.body).toContain('Registry publish attestation');
      expect(page.body).not.toContain('Built and signed');
      expect(page.body).not.toMatch(/verified/i);
    });

    it('a publish with a maintainer token gets no publish attestation', async () => {
      await published(r, alice, packageBuilder('widget', '1.2.0'));
      const doc = await packument(r, 'widget');
      expect((doc.versions['1.2.0']!.dist as Record<string, unknown>).attestations).toBeUndefined();
      expect((await r.inject({ method: 'GET', url: '/-/npm/v1/attestations/widget@1.2.0' })).statusCode).toBe(404);
    });

    it('a log that does not answer fails the trusted publish, and nothing is published', async () => {
      const res = await trustedPublish(down, 'widget', '1.1.0');
      expect(res.statusCode, res.body).toBe(502);
      expect(res.json<{ code: string }>().code).toBe('PublishAttestationUnavailable');
      expect(Object.keys((await packument(down, 'widget')).versions)).toEqual(['1.0.0']);
    });
  });
}
