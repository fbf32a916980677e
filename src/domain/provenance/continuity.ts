// OpenSSF's build-provenance guidance: a version whose provenance names another source repository
// than the package's earlier provenance, or a version without provenance after one that had it,
// may be a takeover; it is refused unless an owner declared the change first. `continuity` is
// pure; `continuityIn` reads the history inside the publish's commit transaction, under the
// package's claim lock, so two racing publishes cannot both be judged against the same history.
import type { Repositories } from '../store.js';
import { isServed } from '../packages/store.js';
import type { BuildFacts } from './certificate.js';
import { SLSA_PROVENANCE_V1 } from './statement.js';
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

/** The decision for `version` of `name` from inside the commit transaction (the version's own row, just written, is left out). */
export async function continuityIn(
  tx: Repositories,
  name: string,
  version: string,
  build: BuildFacts | undefined,
): Promise<ContinuityDecision> {
  return continuity(await historyOf(tx, name, version), build, await tx.attestations.declaration(name));
}

async function historyOf(repos: Repositories, name: string, publishing: string): Promise<History> {
  const builds = await repos.attestations.builds(name);
  if (builds.length === 0) return { lastRepository: undefined, latestHadProvenance: false };
  const provenanceOf = new Map(builds.filter((b) => b.predicateType === SLSA_PROVENANCE_V1).map((b) => [b.version, b.build]));
  const served = (await repos.packages.versions(name, { readmes: false }))
    .filter((v) => isServed(v) && v.version !== publishing)
    .sort((a, b) => (a.publishedAt < b.publishedAt ? 1 : a.publishedAt > b.publishedAt ? -1 : 0));
  const lastWith = served.find((v) => provenanceOf.has(v.version));
  return {
    lastRepository: lastWith ? (provenanceOf.get(lastWith.version)?.sourceRepository ?? undefined) : undefined,
    latestHadProvenance: served[0] !== undefined && provenanceOf.has(served[0].version),
  };
}
