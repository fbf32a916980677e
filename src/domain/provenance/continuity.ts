// OpenSSF's build-provenance guidance: a version whose provenance names another source repository
// than the package's earlier provenance, or a version without provenance after one that had it,
// may be a takeover; it is refused unless an owner declared the change first. Pure.
import type { BuildFacts } from './certificate.js';
import type { ProvenanceDeclaration } from './store.js';

export interface History {
  /** The source repository of the most recent version with provenance, if any. */
  lastRepository: string | undefined;
  /** Whether the most recent served version had provenance. */
  latestHadProvenance: boolean;
}

export type ContinuityDecision =
  | { ok: true; spendsDeclaration: boolean }
  | { ok: false; code: 'ProvenanceSourceChanged' | 'ProvenanceRequired'; reason: string };

const norm = (url: string) =>
  url
    .toLowerCase()
    .replace(/\.git$/, '')
    .replace(/\/+$/, '');

export function continuity(
  history: History,
  build: BuildFacts | undefined,
  declared: ProvenanceDeclaration | undefined,
): ContinuityDecision {
  if (!build) {
    if (!history.latestHadProvenance) return { ok: true, spendsDeclaration: false };
    if (declared?.kind === 'none') return { ok: true, spendsDeclaration: false };
    return {
      ok: false,
      code: 'ProvenanceRequired',
      reason:
        'The latest version of this package was published with provenance; publish with --provenance, or have an owner declare first that provenance stops (PUT /-/gatehouse/provenance/<name>).',
    };
  }
  const repository = build.sourceRepository;
  if (history.lastRepository === undefined || (repository !== undefined && norm(repository) === norm(history.lastRepository)))
    return { ok: true, spendsDeclaration: declared?.kind === 'none' };
  if (
    declared?.kind === 'repository' &&
    repository !== undefined &&
    declared.repository !== null &&
    norm(declared.repository) === norm(repository)
  )
    return { ok: true, spendsDeclaration: true };
  return {
    ok: false,
    code: 'ProvenanceSourceChanged',
    reason: `This version's provenance names ${repository ?? 'no repository'}, but earlier versions were built from ${history.lastRepository}; an owner must declare the new repository first (PUT /-/gatehouse/provenance/<name>).`,
  };
}
