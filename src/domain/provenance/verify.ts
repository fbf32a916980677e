// Verifies a provenance bundle as `npm publish --provenance` attaches it: the Sigstore bundle's
// certificate chains to a Fulcio CA of the configured trust root, its signature covers the DSSE
// envelope, a trusted Rekor log includes it, and its statement names this tarball. Throws catalog
// errors; never touches storage. attacker-controlled: the bundle comes from the publisher.
import { bundleFromJSON, type Bundle } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier, type TrustMaterial } from '@sigstore/verify';
import { fail, isGatehouseError } from '../errors.js';
import { buildFacts, type BuildFacts } from './certificate.js';
import { assertSubject, IN_TOTO_PAYLOAD_TYPE, parseStatement, SLSA_PROVENANCE_V1 } from './statement.js';

/** A bundle that verified: what is stored and served, and what the page shows. */
export interface VerifiedProvenance {
  predicateType: string;
  /** The bundle as sent (JSON), served back unchanged so clients verify the same bytes. */
  bundle: Record<string, unknown>;
  build: BuildFacts;
  /** Rekor's integratedTime of the first entry, ISO. */
  loggedAt?: string;
  logIndex?: string;
}

export interface ProvenanceSubject {
  name: string;
  version: string;
  sha512Hex: string;
}

/** Bundles are a few KiB; anything far larger is not one. */
const MAX_BUNDLE_CHARS = 256 * 1024;

export class ProvenanceVerifier {
  private readonly verifier: Verifier;

  constructor(trustedRoot: unknown) {
    const material: TrustMaterial = toTrustMaterial(TrustedRoot.fromJSON(trustedRoot));
    // A root without CT logs (a private Fulcio) cannot require an SCT; the public-good one has them.
    this.verifier = new Verifier(material, { tlogThreshold: 1, ctlogThreshold: material.ctlogs.length > 0 ? 1 : 0 });
  }

  verify(bundleText: string, subject: ProvenanceSubject): VerifiedProvenance {
    const json = parseJson(bundleText);
    let bundle: Bundle;
    try {
      bundle = bundleFromJSON(json);
    } catch (err) {
      fail('ProvenanceMalformed', `The provenance attachment is not a Sigstore bundle: ${(err as Error).message}.`);
    }
    if (bundle.content.$case !== 'dsseEnvelope' || bundle.content.dsseEnvelope.payloadType !== IN_TOTO_PAYLOAD_TYPE)
      fail('ProvenanceMalformed', 'The provenance bundle must carry an in-toto statement in a DSSE envelope.');
    const material = bundle.verificationMaterial.content;
    const cert =
      material.$case === 'certificate'
        ? material.certificate.rawBytes
        : material.$case === 'x509CertificateChain'
          ? material.x509CertificateChain.certificates[0]?.rawBytes
          : undefined;
    if (!cert) fail('ProvenanceMalformed', 'The provenance bundle must be signed with a Fulcio certificate, not a bare key.');
    // Checked before the signature so a wrong tarball is named as such, not as an untrusted bundle.
    const statement = parseStatement(bundle.content.dsseEnvelope.payload);
    if (statement.predicateType !== SLSA_PROVENANCE_V1)
      fail('ProvenanceMalformed', `The provenance statement's predicateType must be ${SLSA_PROVENANCE_V1}.`);
    assertSubject(statement, subject.name, subject.version, subject.sha512Hex);
    try {
      this.verifier.verify(toSignedEntity(bundle));
    } catch (err) {
      if (isGatehouseError(err)) throw err;
      fail(
        'ProvenanceUntrusted',
        `The provenance bundle does not verify against this registry's Sigstore trust root: ${(err as Error).message}.`,
      );
    }
    const entry = bundle.verificationMaterial.tlogEntries[0];
    return {
      predicateType: statement.predicateType,
      bundle: json,
      build: buildFacts(cert),
      ...(entry && { loggedAt: new Date(Number(entry.integratedTime) * 1000).toISOString(), logIndex: entry.logIndex }),
    };
  }
}

function parseJson(text: string): Record<string, unknown> {
  if (text.length > MAX_BUNDLE_CHARS)
    fail('ProvenanceMalformed', `The provenance bundle is over ${MAX_BUNDLE_CHARS} characters.`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    fail('ProvenanceMalformed', 'The provenance attachment is not JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail('ProvenanceMalformed', 'The provenance bundle must be a JSON object.');
  return value as Record<string, unknown>;
}
