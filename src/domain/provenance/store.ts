// What build provenance stores (the Kysely version is storage/db/attestations.ts): the verified
// bundles per version, and the changes of source an owner declared before publishing them.
import type { BuildFacts } from './certificate.js';

export interface AttestationRecord {
  packageName: string;
  version: string;
  predicateType: string;
  /** The Sigstore bundle, served as it was verified. */
  bundle: Record<string, unknown>;
  /** Where it was built (a provenance bundle's certificate, or the trusted publisher's claims); null when unknown. */
  build: BuildFacts | null;
  createdAt: string;
}

/**
 * An owner's word, given before the publish it allows: the next provenance may name `repository`
 * (kind 'repository'), or the next version may come without provenance (kind 'none').
 */
export interface ProvenanceDeclaration {
  packageName: string;
  kind: 'repository' | 'none';
  repository: string | null;
  declaredBy: number;
  createdAt: string;
}

export interface AttestationStore {
  insert(record: AttestationRecord): Promise<void>;
  forVersion(name: string, version: string): Promise<AttestationRecord[]>;
  /** version → predicate types, for the packument (no bundles read). */
  predicateTypes(name: string): Promise<Map<string, string[]>>;
  /** Every provenance record of the package with its build facts, without bundles. */
  builds(name: string): Promise<{ version: string; predicateType: string; build: BuildFacts | null }[]>;
  declare(declaration: ProvenanceDeclaration): Promise<void>;
  declaration(name: string): Promise<ProvenanceDeclaration | undefined>;
  clearDeclaration(name: string): Promise<void>;
}
