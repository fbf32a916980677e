// Shared by the client trust and SBOM tests: publishing a version with a provenance bundle from
// the local Sigstore (attached as `npm publish --provenance` attaches it), the trust root file the
// registry is configured with, and a registry trusting that root.
import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import type { TestEngine } from '../support/engines.js';
import { BUNDLE_V03, localSigstore, purl, type LocalSigstore } from '../support/sigstore.js';
import type { PackageBuilder } from '../fixtures/package-builder.js';
import { escaped } from '../support/npm-protocol.js';

export async function publishWithProvenance(
  r: TestRegistry,
  user: TestUser,
  builder: PackageBuilder,
  sigstore: LocalSigstore,
  repository: string,
): Promise<void> {
  const sha512Hex = createHash('sha512').update(builder.tarball()).digest('hex');
  const bundle = await sigstore.provenance([{ name: purl(builder.name, builder.version), sha512Hex }], { repository });
  const body = builder.publishBody(r.url) as { _attachments: Record<string, unknown> };
  const data = JSON.stringify(bundle);
  body._attachments[`${builder.name}-${builder.version}.sigstore`] = { content_type: BUNDLE_V03, data, length: data.length };
  const put = await r.inject({
    method: 'PUT',
    url: `/${escaped(builder.name)}`,
    headers: { authorization: `Bearer ${user.token}` },
    payload: body,
  });
  expect(put.statusCode, put.body).toBe(201);
}

/** The local Sigstore's trusted_root.json in a file, for the registry's config and the CLI's --trusted-root. */
export async function trustedRootFile(sigstore: LocalSigstore): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'gatehouse-trust-')), 'trusted_root.json');
  await writeFile(path, JSON.stringify(sigstore.trustedRoot));
  return path;
}

/** A listening registry that trusts a fresh local Sigstore, with alice to publish. */
export async function provenanceRegistry(
  engine: TestEngine,
): Promise<{ r: TestRegistry; sigstore: LocalSigstore; root: string; alice: TestUser }> {
  const sigstore = await localSigstore();
  const root = await trustedRootFile(sigstore);
  const r = await startRegistry(engine, { listen: true, config: { provenanceTrustedRoot: root } });
  return { r, sigstore, root, alice: await r.createUser('alice') };
}
