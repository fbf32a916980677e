// Build provenance on publish: the `verify-provenance` step checks an attached Sigstore bundle
// (verify.ts), the publisher's identity (identity.ts) and the package's history (continuity.ts);
// the continuity check and the bundle's row run in the version's own commit transaction. Reads serve the bundles.
import type { Repositories, Store } from '../store.js';
import type { PublishContext } from '../packages/publish/context.js';
import { need } from '../packages/publish/context.js';
import type { PublishStep } from '../packages/publish/pipeline.js';
import { fail } from '../errors.js';
import { identityDecision } from './identity.js';
import { continuityIn } from './continuity.js';
import type { ProvenanceVerifier, VerifiedProvenance } from './verify.js';
import type { AttestationRecord, ProvenanceDeclaration } from './store.js';
import type { TokenPrincipal } from '../access/principal.js';
import type { RequestContext } from '../access/context.js';
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

export class ProvenanceService {
  constructor(
    private readonly store: Store,
    /** Undefined when no trust root is configured: every bundle is refused then. */
    private readonly verifier: ProvenanceVerifier | undefined,
    /** The second factor owner changes ask for (domain/mfa/writes.ts): a declaration changes who may publish. */
    private readonly writeCheck: (context: RequestContext) => Promise<unknown> = async () => undefined,
  ) {}

  readonly step: PublishStep = {
    name: 'verify-provenance',
    run: (ctx) => this.check(ctx),
  };

  /** The attestations served at /-/npm/v1/attestations/<name>@<version>, oldest kind first. */
  attestations(name: string, version: string): Promise<AttestationRecord[]> {
    return this.store.attestations.forVersion(name, version);
  }

  /**
   * An owner's declaration before the publish it allows: the next provenance names `repository`,
   * or provenance stops. `input` is attacker-controlled JSON: `{repository}` or `{provenance: "none"}`.
   */
  async declare(
    context: RequestContext,
    owner: TokenPrincipal,
    name: string,
    input: unknown,
    at: string,
  ): Promise<ProvenanceDeclaration> {
    const declaration = parseDeclaration(name, owner.user.id, input, at);
    // A declaration lets the next publish name another source: as sensitive as an owner change.
    await this.writeCheck(context);
    // The event mails every owner (domain/mail): a takeover's declaration does not go unseen.
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
    // Refused early when it already fails (no blob stored), and decided again in the commit
    // transaction, where a racing publish's committed version counts (continuity.ts).
    const early = await continuityIn(this.store, ctx.name, document.version, provenance?.build);
    if (!early.ok) fail(early.code, early.reason);
    ctx.inCommit.push((tx, at) => this.record(tx, ctx, provenance, at));
  }

  private async record(
    tx: Repositories,
    ctx: PublishContext,
    provenance: VerifiedProvenance | undefined,
    at: string,
  ): Promise<void> {
    const version = need(ctx.document, 'the document', 'commit').version;
    const decision = await continuityIn(tx, ctx.name, version, provenance?.build);
    if (!decision.ok) fail(decision.code, decision.reason);
    if (provenance) {
      await tx.attestations.insert({
        packageName: ctx.name,
        version,
        predicateType: provenance.predicateType,
        bundle: provenance.bundle,
        build: provenance.build,
        createdAt: at,
      });
    }
    if (decision.spendsDeclaration) await tx.attestations.clearDeclaration(ctx.name);
  }
}
