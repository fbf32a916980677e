// The `publish-attestation` step: a version published by a trusted publisher (OIDC) gets the
// registry's own publish attestation (publish-attestation.ts), logged before the commit and stored
// in the version's own transaction beside any build provenance. Runs last before the commit, so a
// publish another step refuses leaves nothing in the log.
import type { PublishContext } from '../packages/publish/context.js';
import { need } from '../packages/publish/context.js';
import type { PublishStep } from '../packages/publish/pipeline.js';
import {
  issuePublishAttestation,
  NPM_PUBLISH_V01,
  publishStatement,
  publisherBuild,
  type AttestationLog,
  type AttestationSigner,
} from './publish-attestation.js';
import type { AttestationRecord } from './store.js';

export interface PublishAttestationDeps {
  log: AttestationLog;
  signer: AttestationSigner;
  /** The registry's base URL, named in the predicate. */
  registry: () => string;
}

export class PublishAttestations {
  constructor(private readonly deps: PublishAttestationDeps) {}

  readonly step: PublishStep = { name: 'publish-attestation', run: (ctx) => this.issue(ctx) };

  private async issue(ctx: PublishContext): Promise<void> {
    const publisher = ctx.publisher;
    if (publisher?.kind !== 'trusted-publisher') return;
    const document = need(ctx.document, 'the document', 'publish-attestation');
    const sha512Hex = Buffer.from(document.integrity.slice('sha512-'.length), 'base64').toString('hex');
    const statement = publishStatement(
      { name: ctx.name, version: document.version, sha512Hex, registry: this.deps.registry() },
      publisher,
    );
    const bundle = await issuePublishAttestation(statement, this.deps.signer, this.deps.log);
    const issued: Omit<AttestationRecord, 'createdAt'> = {
      packageName: ctx.name,
      version: document.version,
      predicateType: NPM_PUBLISH_V01,
      bundle,
      build: publisherBuild(publisher),
    };
    ctx.inCommit.push((tx, committedAt) => tx.attestations.insert({ ...issued, createdAt: committedAt }));
  }
}
