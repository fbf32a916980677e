// Wires build provenance: the trust root a bundle must chain to and the publish step (whose commit work it adds itself).
// The default root is Sigstore's public-good one, as the `@sigstore/tuf` package seeds it
// (data/sigstore-public-good-trusted-root.json); `provenanceTrustedRoot` names another file.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Store } from '../store.js';
import type { RequestContext } from '../access/context.js';
import type { PackageService } from '../packages/service.js';
import { ProvenanceService } from './service.js';
import { ProvenanceVerifier } from './verify.js';
import { PublishAttestations, type PublishAttestationDeps } from './publish-step.js';

export const PUBLIC_GOOD_TRUSTED_ROOT = fileURLToPath(
  new URL('../../../data/sigstore-public-good-trusted-root.json', import.meta.url),
);

export function wireProvenance(deps: {
  store: Store;
  packages: PackageService;
  trustedRootPath: string;
  /** Where trusted publishes' attestations are logged and how they are signed; none: no publish attestations. */
  publishAttestations?: PublishAttestationDeps;
  /** The second factor a provenance declaration asks for, as an owner change does. */
  writeCheck: (context: RequestContext) => Promise<unknown>;
}): {
  provenance: ProvenanceService;
} {
  const path = deps.trustedRootPath || PUBLIC_GOOD_TRUSTED_ROOT;
  let root: unknown;
  try {
    root = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`gatehouse: cannot read the Sigstore trust root ${path} (provenanceTrustedRoot): ${(err as Error).message}`);
  }
  const provenance = new ProvenanceService(deps.store, new ProvenanceVerifier(root), deps.writeCheck);
  // After the tarball is inspected (its integrity is known) and before its blob is stored.
  deps.packages.addPublishStep(provenance.step, { after: 'inspect-tarball' });
  if (deps.publishAttestations) {
    const attestations = new PublishAttestations(deps.publishAttestations);
    deps.packages.addPublishStep(attestations.step, { before: 'commit' });
  }
  return { provenance };
}
export { ProvenanceService } from './service.js';
