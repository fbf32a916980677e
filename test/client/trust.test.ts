// Client-side trust checks against a real Gatehouse: registry signatures over
// `name@version:integrity` with the registry's keys, and Sigstore provenance verified against a
// local trust root (test/support/sigstore.ts). A small HTTP proxy in front of the registry plays a
// registry without keys, one whose keys expired, and one that serves another version's signature.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import type { TestRegistry, TestUser } from '../support/registry.js';
import { localSigstore, type LocalSigstore } from '../support/sigstore.js';
import { packageBuilder, type PackageBuilder } from '../fixtures/package-builder.js';
import { provenanceRegistry, publishWithProvenance } from './trust-fixtures.js';
import { RegistryClient } from '../../src/client/registry-client.js';
import { trustFailures, verifyTrust, type TrustItem } from '../../src/client/trust/index.js';

type Rewrite = (path: string, body: Record<string, unknown>) => Record<string, unknown> | 'missing';

/** Forwards to `upstream`, letting `rewrite` change (or hide) a JSON answer. */
async function rewritingProxy(upstream: string, rewrite: Rewrite): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer(async (req, res) => {
    const answer = await fetch(new URL(req.url ?? '/', upstream), { headers: { accept: req.headers.accept ?? '*/*' } });
    const type = answer.headers.get('content-type') ?? '';
    if (!type.includes('json')) {
      res.writeHead(answer.status, { 'content-type': type }).end(Buffer.from(await answer.arrayBuffer()));
      return;
    }
    const changed = rewrite(
      decodeURIComponent(new URL(req.url ?? '/', upstream).pathname),
      (await answer.json()) as Record<string, unknown>,
    );
    if (changed === 'missing') res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    else res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(changed));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const integrityOf = (b: PackageBuilder) => `sha512-${createHash('sha512').update(b.tarball()).digest('base64')}`;
const itemOf = (b: PackageBuilder): TrustItem => ({ name: b.name, version: b.version, integrity: integrityOf(b) });

for (const engine of ENGINES) {
  describe(`verifyTrust (${engine})`, () => {
    let r: TestRegistry;
    let sigstore: LocalSigstore;
    let alice: TestUser;
    const proxies: { close(): Promise<void> }[] = [];
    const proven = packageBuilder('@acme/proven', '1.0.0').file('index.js', 'module.exports = 1;\n');
    const plain = packageBuilder('plain-signed', '1.0.0').file('index.js', 'module.exports = 2;\n');
    const other = packageBuilder('plain-signed', '1.1.0').file('index.js', 'module.exports = 3;\n');

    beforeAll(async () => {
      ({ r, sigstore, alice } = await provenanceRegistry(engine));
      await publishWithProvenance(r, alice, proven, sigstore, 'acme/proven');
      for (const b of [plain, other]) expect((await r.publish(alice, b)).statusCode).toBe(201);
    });
    afterAll(async () => {
      await Promise.all(proxies.map((p) => p.close()));
      await r?.close();
    });

    const client = (registry = r.url) => new RegistryClient({ registry, retries: 0 });
    const viaProxy = async (rewrite: Rewrite) => {
      const proxy = await rewritingProxy(r.url, rewrite);
      proxies.push(proxy);
      return client(proxy.url);
    };

    it('verifies the registry signature of every version, and the provenance of the one built with it', async () => {
      const verdicts = await verifyTrust(client(), [itemOf(proven), itemOf(plain)], { trustedRoot: sigstore.trustedRoot });
      expect(verdicts.get('@acme/proven@1.0.0')).toEqual({
        signature: 'verified',
        provenance: 'verified',
        sourceRepository: 'https://github.com/acme/proven',
      });
      expect(verdicts.get('plain-signed@1.0.0')).toEqual({ signature: 'verified', provenance: 'absent' });
      expect(trustFailures(verdicts, { signatures: true })).toEqual([]);
      expect(trustFailures(verdicts, { provenance: true })).toEqual([
        expect.stringMatching(/^plain-signed@1\.0\.0: provenance absent/),
      ]);
    });

    it('reports a pinned integrity other than the one the registry signed as invalid, signature and provenance', async () => {
      const forged = { ...itemOf(proven), integrity: integrityOf(other) };
      const verdict = (await verifyTrust(client(), [forged], { trustedRoot: sigstore.trustedRoot })).get('@acme/proven@1.0.0')!;
      expect(verdict.signature).toBe('invalid');
      expect(verdict.provenance).toBe('invalid');
      expect(trustFailures(new Map([['x', verdict]]), {})).toHaveLength(1);
    });

    it('reports provenance that chains to a root the user does not trust as invalid', async () => {
      const stranger = await localSigstore();
      const verdict = (await verifyTrust(client(), [itemOf(proven)], { trustedRoot: stranger.trustedRoot })).get(
        '@acme/proven@1.0.0',
      )!;
      expect(verdict).toMatchObject({ signature: 'verified', provenance: 'invalid' });
      expect(verdict.detail).toContain('trust root');
      expect(verdict.sourceRepository).toBeUndefined();
    });

    it('provenance the packument claims but the registry does not serve is invalid; a publish attestation alone is no provenance', async () => {
      const hidden = await viaProxy((path, body) => (path.startsWith('/-/npm/v1/attestations/') ? 'missing' : body));
      const verdict = (await verifyTrust(hidden, [itemOf(proven)], { trustedRoot: sigstore.trustedRoot })).get(
        '@acme/proven@1.0.0',
      )!;
      expect(verdict).toMatchObject({ signature: 'verified', provenance: 'invalid' });
      const publishOnly = await viaProxy((path, body) => {
        if (path.startsWith('/-/npm/v1/attestations/'))
          return {
            attestations: [{ predicateType: 'https://github.com/npm/attestation/tree/main/specs/publish/v0.1', bundle: {} }],
          };
        if (path === '/@acme/proven')
          delete (body.versions as Record<string, { dist: { attestations: Record<string, unknown> } }>)['1.0.0']!.dist
            .attestations.provenance;
        return body;
      });
      const alone = (await verifyTrust(publishOnly, [itemOf(proven)], { trustedRoot: sigstore.trustedRoot })).get(
        '@acme/proven@1.0.0',
      )!;
      expect(alone).toEqual({ signature: 'verified', provenance: 'absent' });
    });

    it('a registry without signing keys leaves signatures absent, with a note saying so', async () => {
      const noKeys = await viaProxy((path, body) => (path === '/-/npm/v1/keys' ? 'missing' : body));
      const verdict = (await verifyTrust(noKeys, [itemOf(plain)])).get('plain-signed@1.0.0')!;
      expect(verdict.signature).toBe('absent');
      expect(verdict.detail).toContain('publishes no signing keys');
      expect(trustFailures(new Map([['plain-signed@1.0.0', verdict]]), {})).toEqual([]);
      expect(trustFailures(new Map([['plain-signed@1.0.0', verdict]]), { signatures: true })).toHaveLength(1);
    });

    it("a version served with another version's genuine signature is invalid", async () => {
      const swapped = await viaProxy((path, body) => {
        if (path !== '/plain-signed') return body;
        const versions = body.versions as Record<string, { dist: { signatures: unknown } }>;
        versions['1.0.0']!.dist.signatures = versions['1.1.0']!.dist.signatures;
        return body;
      });
      const verdicts = await verifyTrust(swapped, [itemOf(plain), itemOf(other)]);
      expect(verdicts.get('plain-signed@1.0.0')).toMatchObject({ signature: 'invalid' });
      expect(verdicts.get('plain-signed@1.0.0')!.detail).toContain('does not cover plain-signed@1.0.0');
      expect(verdicts.get('plain-signed@1.1.0')).toMatchObject({ signature: 'verified' });
    });

    it('a signature by a key that had expired before the version was published is invalid, as npm holds it', async () => {
      const expired = await viaProxy((path, body) => {
        if (path !== '/-/npm/v1/keys') return body;
        return { keys: (body.keys as Record<string, unknown>[]).map((k) => ({ ...k, expires: '2020-01-01T00:00:00.000Z' })) };
      });
      const verdict = (await verifyTrust(expired, [itemOf(plain)])).get('plain-signed@1.0.0')!;
      expect(verdict.signature).toBe('invalid');
      expect(verdict.detail).toContain('expired 2020-01-01');
    });

    it('a version without a signature from a registry that has keys is absent; one it does not serve is named', async () => {
      const unsigned = await viaProxy((path, body) => {
        if (path !== '/plain-signed') return body;
        delete (body.versions as Record<string, { dist: Record<string, unknown> }>)['1.0.0']!.dist.signatures;
        return body;
      });
      const verdicts = await verifyTrust(unsigned, [
        itemOf(plain),
        { name: 'plain-signed', version: '9.9.9', integrity: 'sha512-AA==' },
      ]);
      expect(verdicts.get('plain-signed@1.0.0')).toMatchObject({ signature: 'absent', provenance: 'absent' });
      expect(verdicts.get('plain-signed@9.9.9')!.detail).toContain('does not serve plain-signed@9.9.9');
    });
  });
}
