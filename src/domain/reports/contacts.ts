// Whom to tell about a vulnerability in one version: the contact its tarball names (security-
// contact.ts), looked for once per version on first need and kept, since a tarball never changes;
// else the page points at its maintainers through a private `vulnerable` report.
import type { Store } from '../store.js';
import { readBlob, type BlobStore, type Sha512Hex } from '../packages/blobs.js';
import { inspectTarball, type TarballLimits } from '../packages/tarball.js';
import type { VersionRecord } from '../packages/store.js';
import { securityContactInspector, type SecurityContact } from './security-contact.js';

export interface SecurityContactsDeps {
  store: Store;
  blobs: BlobStore;
  limits: TarballLimits;
  budgetMs: number;
}

export class SecurityContacts {
  constructor(private readonly deps: SecurityContactsDeps) {}

  async forVersion(version: Pick<VersionRecord, 'packageName' | 'version' | 'blob'>): Promise<SecurityContact | undefined> {
    const { store } = this.deps;
    const kept = await store.securityContacts.get(version.packageName, version.version);
    if (kept) return kept.contact ?? undefined;
    const bytes = await readBlob(this.deps.blobs, version.blob as Sha512Hex);
    if (!bytes) return undefined;
    let found: SecurityContact | undefined;
    try {
      const summary = await inspectTarball(bytes, this.deps.limits, {
        inspectors: [securityContactInspector],
        budgetMs: this.deps.budgetMs,
      });
      found = summary.results.get('security-contact') as SecurityContact | undefined;
    } catch {
      // A stored tarball passed these checks at publish; one that no longer does names no contact.
      found = undefined;
    }
    await store.securityContacts.keep(version.packageName, version.version, found ?? null);
    return found;
  }
}
