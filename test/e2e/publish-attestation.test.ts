// Attestations that the stock `npm audit signatures` (npm 11 and npm 12) verifies, offline:
// - the registry's own publish attestation: npm publishes through trusted publishing (a local OIDC
//   issuer, no stored token); Gatehouse signs an in-toto publish statement with its registry key,
//   logs it in a local Rekor and serves the bundle at /-/npm/v1/attestations;
// - build provenance: a version published with a Sigstore bundle from a local Fulcio (with a CT log:
//   npm requires an SCT) and the same Rekor, which Gatehouse verified and stored.
// npm takes the Fulcio, CT and Rekor keys from the trusted_root.json of a local TUF repository (as it
// takes Sigstore's from the public one) and the registry key from /-/npm/v1/keys.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { githubClaims, startOidcIssuer, type OidcIssuer } from '../support/oidc-issuer.js';
import { startTufMirror, type TufMirror } from '../support/tuf-mirror.js';
import { localSigstore, purl, withProvenance } from '../support/sigstore.js';
import { packageBuilder } from '../fixtures/package-builder.js';
import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import {
  createWorkspace,
  installCommand,
  removeWorkspace,
  runOk,
  skipWithout,
  type ClientName,
  type Workspace,
} from './clients.js';
import { writeConsumer, writeProject } from './fixtures/projects.js';

const PUBLISH_V01 = 'https://github.com/npm/attestation/tree/main/specs/publish/v0.1';
const NPMS: ClientName[] = ['npm11', 'npm12'];

interface PublishBundle {
  verificationMaterial: { publicKey: { hint: string }; tlogEntries: unknown[] };
  dsseEnvelope: { payload: string; signatures: { keyid: string }[] };
}

for (const engine of ENGINES) {
  describe.skipIf(skipWithout('npm11'))(`registry publish attestation (${engine})`, () => {
    let issuer: OidcIssuer;
    let rekor: Awaited<ReturnType<Awaited<ReturnType<typeof localSigstore>>['startRekor']>>;
    let tuf: TufMirror;
    let r: TestRegistry;
    let alice: TestUser;
    const workspaces: Workspace[] = [];

    beforeAll(async () => {
      const sigstore = await localSigstore();
      rekor = await sigstore.startRekor();
      tuf = await startTufMirror({ 'trusted_root.json': JSON.stringify(sigstore.trustedRoot) });
      issuer = await startOidcIssuer();
      const rootPath = join(await mkdtemp(join(tmpdir(), 'gatehouse-root-')), 'trusted_root.json');
      await writeFile(rootPath, JSON.stringify(sigstore.trustedRoot));
      r = await startRegistry(engine, {
        listen: true,
        config: { oidcGithubIssuer: issuer.url, publishAttestationLog: rekor.url, provenanceTrustedRoot: rootPath },
      });
      alice = await r.createUser('alice');
      const built = packageBuilder('att-built', '1.0.0').file('index.js', 'module.exports = 1;\n');
      const bundle = await sigstore.provenance(
        [{ name: purl('att-built', '1.0.0'), sha512Hex: createHash('sha512').update(built.tarball()).digest('hex') }],
        { repository: 'acme/built' },
      );
      const put = await r.inject({
        method: 'PUT',
        url: '/att-built',
        headers: { authorization: `Bearer ${alice.token}` },
        payload: withProvenance(built.publishBody(r.url), 'att-built', '1.0.0', bundle),
      });
      expect(put.statusCode, put.body).toBe(201);
      const aliceNpm = await createWorkspace({ registry: r.url, client: 'npm11', token: alice.token });
      const ci = await createWorkspace({ registry: r.url, client: 'npm11' });
      workspaces.push(aliceNpm, ci);
      await runOk('npm11', ['publish'], aliceNpm, {
        cwd: await writeProject(join(aliceNpm.dir, 'w1'), { name: 'att-widget', version: '1.0.0' }),
      });
      await runOk(
        'npm11',
        ['trust', 'github', 'att-widget', '--repo', 'acme/widget', '--file', 'release.yml', '--allow-publish', '--yes'],
        aliceNpm,
      );
      issuer.actionsClaims = githubClaims('acme/widget', 'release.yml');
      await runOk('npm11', ['publish'], ci, {
        cwd: await writeProject(join(ci.dir, 'w2'), { name: 'att-widget', version: '1.1.0' }),
        env: {
          GITHUB_ACTIONS: 'true',
          ACTIONS_ID_TOKEN_REQUEST_URL: issuer.actionsRequestUrl,
          ACTIONS_ID_TOKEN_REQUEST_TOKEN: issuer.actionsRequestToken,
        },
      });
    });
    afterAll(async () => {
      await Promise.all(workspaces.map(removeWorkspace));
      await r?.close();
      await issuer?.close();
      await tuf?.close();
      await rekor?.close();
    });

    it('a trusted publish gets a publish attestation signed with the registry key and logged', async () => {
      const doc = (await (await fetch(`${r.url}/att-widget`)).json()) as {
        versions: Record<string, { dist: { integrity: string; attestations?: { url: string; provenance?: unknown } } }>;
      };
      // The version a maintainer published with a token has none; the trusted publish has one, and no provenance claim.
      expect(doc.versions['1.0.0']!.dist.attestations).toBeUndefined();
      const dist = doc.versions['1.1.0']!.dist;
      expect(dist.attestations).toEqual({ url: `${r.url}/-/npm/v1/attestations/att-widget@1.1.0` });
      const served = (await (await fetch(dist.attestations!.url)).json()) as {
        attestations: { predicateType: string; bundle: PublishBundle }[];
      };
      expect(served.attestations.map((a) => a.predicateType)).toEqual([PUBLISH_V01]);
      const bundle = served.attestations[0]!.bundle;
      const keys = (await (await fetch(`${r.url}/-/npm/v1/keys`)).json()) as { keys: { keyid: string }[] };
      expect(bundle.verificationMaterial.publicKey.hint).toBe(keys.keys[0]!.keyid);
      expect(bundle.dsseEnvelope.signatures[0]!.keyid).toBe(keys.keys[0]!.keyid);
      expect(bundle.verificationMaterial.tlogEntries).toHaveLength(1);
      expect(rekor.entries).toBe(1);
      const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8'));
      const sha512 = Buffer.from(dist.integrity.slice('sha512-'.length), 'base64').toString('hex');
      expect(statement.subject).toEqual([{ name: purl('att-widget', '1.1.0'), digest: { sha512 } }]);
      expect(statement.predicateType).toBe(PUBLISH_V01);
      expect(statement.predicate).toMatchObject({
        name: 'att-widget',
        version: '1.1.0',
        registry: r.url,
        trustedPublisher: {
          issuer: issuer.url,
          repository: 'acme/widget',
          workflow: 'acme/widget/.github/workflows/release.yml@refs/heads/main',
          commit: 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3',
          ref: 'refs/heads/main',
        },
      });
    });

    for (const client of NPMS) {
      it.skipIf(skipWithout(client))(
        `${client} audit signatures reports signatures and both kinds of attestation verified`,
        async () => {
          const ws = await createWorkspace({ registry: r.url, client });
          workspaces.push(ws);
          await tuf.seed(join(ws.cacheDir, 'npm'));
          await writeConsumer(ws.dir, { 'att-widget': '1.1.0', 'att-built': '1.0.0' });
          await runOk(client, installCommand(client, false), ws);
          const result = await runOk(client, ['audit', 'signatures'], ws, { env: tuf.env });
          const output = result.stdout + result.stderr;
          expect(output).toContain('audited 2 packages');
          expect(output).toMatch(/2 packages have verified registry signatures/);
          expect(output).toMatch(/2 packages have verified attestations/);
          expect(output).not.toMatch(/missing|invalid/i);
          // sigstore-js took its trust root from the TUF repository.
          expect(tuf.requests).toContain('/targets/trusted_root.json');
        },
      );
    }
  });
}
