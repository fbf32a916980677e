// Build provenance on publish: the `verify-provenance` step checks an attached Sigstore bundle
// (verify.ts), the publisher's identity (identity.ts) and the package's history (continuity.ts);
// the commit hook stores the bundle in the version's own transaction. Reads serve the bundles.
import type { Repositories, Store } from '../store.js';
import type { PublishContext, CommitHook } from '../packages/publish/context.js';
import { need } from '../packages/publish/context.js';
import type { PublishStep } from '../packages/publish/pipeline.js';
import { fail } from '../errors.js';
import { isServed } from '../packages/store.js';
import { identityDecision } from './identity.js';
import { continuity, type History } from './continuity.js';
import { SLSA_PROVENANCE_V1 } from './statement.js';
import type { ProvenanceVerifier, VerifiedProvenance } from './verify.js';
import type { AttestationRecord, ProvenanceDeclaration } from './store.js';
import type { TokenPrincipal } from '../access/principal.js';
import { userActor } from '../access/actor.js';

const MAX_REPOSITORY = 300;

function parseDeclaration(name: string, userId: number, input: unknown, at: string): ProvenanceDeclaration {
  const body = typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
  if (body.provenance === 'none') return { packageName: name, kind: 'none', repository: null, declaredBy: userId, createdAt: at };
  const repository = body.repository;
  if (typeof repository !== 'string' || repository.length > MAX_REPOSITORY || !/^https:\/\/[^\s/]+\/\S+$/.test(repository))
    fail(
      'BadRequest',
      'Declare {"repository": "https://github.com/<owner>/<repo>"} (the next source) or {"provenance": "none"}.',
    );
  return { packageName: name, kind: 'repository', repository, declaredBy: userId, createdAt: at };
}

interface Accepted {
  provenance: VerifiedProvenance | undefined;
  spendsDeclaration: boolean;
}

export class ProvenanceService {
  /** What the step decided, for the commit hook of the same publish. */
  private readonly accepted = new WeakMap<PublishContext, Accepted>();

  constructor(
    private readonly store: Store,
    /** Undefined when no trust root is configured: every bundle is refused then. */
    private readonly verifier: ProvenanceVerifier | undefined,
  ) {}

  readonly step: PublishStep = {
    name: 'verify-provenance',
    run: (ctx) => this.check(ctx),
  };

  readonly commitHook: CommitHook = (tx, ctx, publishedAt) => this.record(tx, ctx, publishedAt);

  /** The attestations served at /-/npm/v1/attestations/<name>@<version>, oldest kind first. */
  attestations(name: string, version: string): Promise<AttestationRecord[]> {
    return this.store.attestations.forVersion(name, version);
  }

  /**
   * An owner's declaration before the publish it allows: the next provenance names `repository`,
   * or provenance stops. `input` is attacker-controlled JSON: `{repository}` or `{provenance: "none"}`.
   */
  async declare(owner: TokenPrincipal, name: string, input: unknown, at: string): Promise<ProvenanceDeclaration> {
    const declaration = parseDeclaration(name, owner.user.id, input, at);
    await this.store.transaction(async (tx) => {
      await tx.attestations.declare(declaration);
      await tx.events.append({
        type: 'provenance.declared',
        actor: userActor(owner.user),
        packageName: name,
        data: { kind: declaration.kind, repository: declaration.repository },
        createdAt: at,
      });
    });
    return declaration;
  }

  private async check(ctx: PublishContext): Promise<void> {
    const document = need(ctx.document, 'the document', 'verify-provenance');
    let provenance: VerifiedProvenance | undefined;
    if (document.provenance !== undefined) {
      if (!this.verifier)
        fail(
          'ProvenanceUntrusted',
          'This registry has no Sigstore trust root configured (provenanceTrustedRoot), so it cannot accept provenance.',
        );
      const sha512Hex = Buffer.from(document.integrity.slice('sha512-'.length), 'base64').toString('hex');
      provenance = this.verifier.verify(document.provenance, { name: ctx.name, version: document.version, sha512Hex });
      const identity = identityDecision(provenance.build, await this.store.trust.forPackage(ctx.name));
      if (!identity.ok) fail('ProvenanceIdentityMismatch', identity.reason);
    }
    const decision = continuity(
      await this.history(this.store, ctx.name),
      provenance?.build,
      await this.store.attestations.declaration(ctx.name),
    );
    if (!decision.ok) fail(decision.code, decision.reason);
    this.accepted.set(ctx, { provenance, spendsDeclaration: decision.spendsDeclaration });
  }

  private async record(tx: Repositories, ctx: PublishContext, publishedAt: string): Promise<void> {
    const accepted = this.accepted.get(ctx);
    this.accepted.delete(ctx);
    const provenance = accepted?.provenance;
    if (provenance) {
      await tx.attestations.insert({
        packageName: ctx.name,
        version: need(ctx.document, 'the document', 'commit').version,
        predicateType: provenance.predicateType,
        bundle: provenance.bundle,
        build: provenance.build,
        createdAt: publishedAt,
      });
    }
    if (accepted?.spendsDeclaration) await tx.attestations.clearDeclaration(ctx.name);
  }

  private async history(repos: Repositories, name: string): Promise<History> {
    const builds = await repos.attestations.builds(name);
    if (builds.length === 0) return { lastRepository: undefined, latestHadProvenance: false };
    const provenanceOf = new Map(builds.filter((b) => b.predicateType === SLSA_PROVENANCE_V1).map((b) => [b.version, b.build]));
    const served = (await repos.packages.versions(name, { readmes: false }))
      .filter(isServed)
      .sort((a, b) => (a.publishedAt < b.publishedAt ? 1 : a.publishedAt > b.publishedAt ? -1 : 0));
    const lastWith = served.find((v) => provenanceOf.has(v.version));
    return {
      lastRepository: lastWith ? (provenanceOf.get(lastWith.version)?.sourceRepository ?? undefined) : undefined,
      latestHadProvenance: served[0] !== undefined && provenanceOf.has(served[0].version),
    };
  }
}
