// The registry's own publish attestation for a trusted-published version, in the shape npm's
// registry serves it: an in-toto statement (predicate npm/attestation specs/publish/v0.1) in a
// DSSE envelope signed with the registry key (keyid as /-/npm/v1/keys lists it), logged in a
// Rekor-compatible transparency log, inside a Sigstore bundle whose verification material is that
// keyid. pacote verifies it with sigstore-js and the registry's keys; sigstore-js needs the log
// entry (a timestamp and one tlog entry), so no log, no attestation. Pure: no storage, no http.
import { fail } from '../errors.js';
import type { TrustedPublisherPrincipal } from '../access/principal.js';
import type { BuildFacts } from './certificate.js';
import { IN_TOTO_PAYLOAD_TYPE, IN_TOTO_STATEMENT_V1, npmPurl } from './statement.js';

export const NPM_PUBLISH_V01 = 'https://github.com/npm/attestation/tree/main/specs/publish/v0.1';
const BUNDLE_V03 = 'application/vnd.dev.sigstore.bundle.v0.3+json';

/** A Rekor-compatible log (POST /api/v1/log/entries); the adapter is adapters/rekor/. */
export interface AttestationLog {
  /** Logs a dsse 0.0.1 entry; resolves to Rekor's answer for it (one `{uuid: entry}` member), unparsed. */
  logDsse(envelope: string, publicKeyPem: string): Promise<unknown>;
}

export interface AttestationSigner {
  signAttestation(data: Buffer): Promise<{ keyid: string; sig: string; publicKeyPem: string }>;
}

export interface PublishSubject {
  name: string;
  version: string;
  sha512Hex: string;
  /** The registry's base URL, as the packument's tarball addresses use it. */
  registry: string;
}

/** DSSE v1 pre-authentication encoding: what the envelope's signature covers. */
export function preAuthEncoding(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType);
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${payload.length} `), payload]);
}

/**
 * What the publish attestation says: npm's predicate (name, version, registry), and, which npm's
 * does not carry, the OIDC identity that published (from the exchanged ID token's claims).
 */
export function publishStatement(subject: PublishSubject, publisher: TrustedPublisherPrincipal): Record<string, unknown> {
  const claims = publisher.identity ?? {};
  const identity = Object.fromEntries(
    Object.entries({
      issuer: publisher.issuer,
      repository: claims.repository ?? claims.project_path,
      workflow: claims.workflow_ref,
      commit: claims.sha,
      ref: claims.ref,
      environment: claims.environment,
    }).filter(([, v]) => typeof v === 'string' && v !== ''),
  );
  return {
    _type: IN_TOTO_STATEMENT_V1,
    subject: [{ name: npmPurl(subject.name, subject.version), digest: { sha512: subject.sha512Hex } }],
    predicateType: NPM_PUBLISH_V01,
    predicate: { name: subject.name, version: subject.version, registry: subject.registry, trustedPublisher: identity },
  };
}

/** The publisher's identity as the package page shows it beside provenance. */
export function publisherBuild(publisher: TrustedPublisherPrincipal): BuildFacts {
  const claims = publisher.identity ?? {};
  const repo = claims.repository;
  const base = publisher.issuer === 'https://token.actions.githubusercontent.com' || repo ? 'https://github.com/' : '';
  return {
    identity: claims.workflow_ref ?? publisher.subject,
    issuer: publisher.issuer,
    ...(repo && { sourceRepository: `${base}${repo}` }),
    ...(claims.sha && { sourceCommit: claims.sha }),
    ...(claims.ref && { sourceRef: claims.ref }),
    // GitHub's workflow_ref is `owner/repo/.github/workflows/file.yml@ref`; as a URL, as Fulcio writes it.
    ...(claims.workflow_ref && { buildConfig: base ? `${base}${claims.workflow_ref}` : claims.workflow_ref }),
  };
}

export async function issuePublishAttestation(
  statement: Record<string, unknown>,
  signer: AttestationSigner,
  log: AttestationLog,
): Promise<Record<string, unknown>> {
  const payload = Buffer.from(JSON.stringify(statement));
  const signed = await signer.signAttestation(preAuthEncoding(IN_TOTO_PAYLOAD_TYPE, payload));
  const envelope = {
    payload: payload.toString('base64'),
    payloadType: IN_TOTO_PAYLOAD_TYPE,
    signatures: [{ sig: signed.sig, keyid: signed.keyid }],
  };
  let answer: unknown;
  try {
    answer = await log.logDsse(JSON.stringify(envelope), signed.publicKeyPem);
  } catch (err) {
    fail(
      'PublishAttestationUnavailable',
      `The transparency log did not record this version's publish attestation (${(err as Error).message}); nothing was published, try again.`,
    );
  }
  return {
    mediaType: BUNDLE_V03,
    verificationMaterial: { publicKey: { hint: signed.keyid }, tlogEntries: [tlogEntryOf(answer)] },
    dsseEnvelope: envelope,
  };
}

const hexToBase64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');

/**
 * Rekor's answer (`{uuid: {body, integratedTime, logID, logIndex, verification}}`, ids and hashes
 * in hex) as a bundle's tlog entry (base64). Read from the configured log: checked, not trusted.
 */
export function tlogEntryOf(answer: unknown): Record<string, unknown> {
  const entry = typeof answer === 'object' && answer !== null ? Object.values(answer)[0] : undefined;
  const e = entry as
    | {
        body?: unknown;
        integratedTime?: unknown;
        logID?: unknown;
        logIndex?: unknown;
        verification?: { signedEntryTimestamp?: unknown; inclusionProof?: Record<string, unknown> };
      }
    | undefined;
  const proof = e?.verification?.inclusionProof;
  if (
    !e ||
    typeof e.body !== 'string' ||
    typeof e.integratedTime !== 'number' ||
    typeof e.logID !== 'string' ||
    typeof e.logIndex !== 'number' ||
    typeof e.verification?.signedEntryTimestamp !== 'string'
  )
    fail('PublishAttestationUnavailable', 'The transparency log answered without a complete entry; nothing was published.');
  let body: { kind?: unknown; apiVersion?: unknown } = {};
  try {
    body = JSON.parse(Buffer.from(e.body, 'base64').toString('utf8')) as typeof body;
  } catch {
    fail('PublishAttestationUnavailable', 'The transparency log answered with an entry body that is not JSON.');
  }
  return {
    logIndex: String(e.logIndex),
    logId: { keyId: hexToBase64(e.logID) },
    kindVersion: { kind: String(body.kind ?? 'dsse'), version: String(body.apiVersion ?? '0.0.1') },
    integratedTime: String(e.integratedTime),
    inclusionPromise: { signedEntryTimestamp: e.verification.signedEntryTimestamp },
    ...(proof &&
      typeof proof.rootHash === 'string' && {
        inclusionProof: {
          logIndex: String(proof.logIndex),
          rootHash: hexToBase64(proof.rootHash),
          treeSize: String(proof.treeSize),
          hashes: Array.isArray(proof.hashes) ? proof.hashes.map((h) => hexToBase64(String(h))) : [],
          checkpoint: { envelope: String(proof.checkpoint ?? '') },
        },
      }),
    canonicalizedBody: e.body,
  };
}
