// What every publish step reads and fills in: one PublishContext per publish request, passed
// through the steps in order (pipeline.ts). A step reads what earlier steps set and never what
// later ones will; `need` turns a step registered in the wrong place into a clear bug, not a crash.
import type { Repositories, Store } from '../../store.js';
import type { RegistrySignature } from '../../signatures/keys.js';
import type { RequestContext } from '../../access/context.js';
import type { TokenPrincipal, TrustedPublisherPrincipal } from '../../access/principal.js';
import type { BlobStore, Sha512Hex } from '../blobs.js';
import type { PackageFacts } from '../authorize.js';
import type { PackageName } from '../names.js';
import type { PublishRequest } from '../publish-document.js';
import type { TarballLimits } from '../tarball.js';
import type { InspectorFactory } from '../tarball-inspectors.js';
import type { ManifestLimits } from '../manifest-rules.js';
import type { CheckedVersion } from './check-version.js';
import type { VersionState } from '../store.js';

export interface PublishDeps {
  store: Store;
  blobs: BlobStore;
  limits: TarballLimits;
  manifestLimits: ManifestLimits;
  now: () => Date;
  /** Inspectors beyond the built-in ones, offered every entry of every tarball (scanners). */
  inspectors: readonly InspectorFactory[];
  /** Time budget for inspecting one tarball, in ms. */
  inspectBudgetMs: number;
  /** The registry's dist.signatures for a version, made inside its commit transaction (domain/signatures). */
  sign: VersionSigner;
}

export type VersionSigner = (tx: Repositories, name: string, version: string, integrity: string) => Promise<RegistrySignature[]>;

export interface PublishContext {
  /** Who is asking and from where, as the HTTP edge built it. */
  readonly request: RequestContext;
  /** The package named in the address. */
  readonly name: PackageName;
  /** The PUT body; undefined while the steps that run before it arrives do. attacker-controlled. */
  body: unknown;
  /** The package as it was before this publish, and who may publish to it (authorize). */
  facts?: PackageFacts;
  /** Who the version is published as, narrowed by the decision (authorize). */
  publisher?: TokenPrincipal | TrustedPublisherPrincipal;
  /** The version the document asks for, with its decoded tarball (validate-document). */
  document?: PublishRequest;
  /** Why the name is valid only for old packages, when an administrator starts one (policy). */
  legacyName: string[];
  /** The tarball inspected and held against the document (inspect-tarball). */
  checked?: CheckedVersion;
  /** Where the tarball bytes are stored (store-blob). */
  blob?: Sha512Hex;
  /** When the version was committed (commit). */
  publishedAt?: string;
  /** Said to the client in the 201 answer. */
  warnings: string[];
  /** Printed by npm as `npm notice …` (the answer's npm-notice header), e.g. a coming MFA requirement. */
  notices: string[];
  /** The answer (after-commit). */
  published?: Published;
  /** `npm stage publish` (POST /-/stage/package/<name>): committed as `staged`, no dist-tag moves (domain/staging). */
  readonly stage: boolean;
  /** The stage's id, set by the commit of a stage publish. */
  stageId?: string;
  /**
   * Set by a step that holds the version (the malware scan: `quarantined`): it is committed in
   * that state, with no dist-tag and no package.published event, until a review releases it.
   */
  heldAs?: Exclude<VersionState, 'published'>;
  /**
   * What steps add to the one commit transaction (a scan result and its event, a provenance
   * attestation and its continuity check): run in order once the version row is written, under
   * the package's claim lock, so a check made here sees every publish committed before it.
   */
  inCommit: CommitWork[];
}

/** Runs inside the commit transaction after the version row; a throw (a catalog refusal) rolls the whole publish back. */
export type CommitWork = (tx: Repositories, committedAt: string) => Promise<void>;

export interface Published {
  name: PackageName;
  version: string;
  tag: string;
  integrity: string;
  /** Said in the 201 answer (npm ignores the field); e.g. a legacy name or a README that was cut. */
  warnings: string[];
  /** For the npm-notice header, which npm prints; empty for most publishes. */
  notices: string[];
  /** Set for a stage publish: what npm prints and addresses the stage by. */
  stageId?: string;
}

export interface PublishMode {
  /** A stage publish (`npm stage publish`): held for approval instead of published. */
  stage?: boolean;
}

export function newPublishContext(
  request: RequestContext,
  name: PackageName,
  body: unknown,
  mode: PublishMode = {},
): PublishContext {
  return { request, name, body, legacyName: [], warnings: [], notices: [], stage: mode.stage === true, inCommit: [] };
}

/** What an earlier step must have set; a missing value means the steps are in the wrong order. */
export function need<T>(value: T | undefined, what: string, step: string): T {
  if (value === undefined) throw new Error(`gatehouse: publish step "${step}" ran before ${what} was set`);
  return value;
}
