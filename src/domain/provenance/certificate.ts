// What a Fulcio signing certificate says about the build that signed: the source repository and
// commit, the workflow, the runner. Fulcio's OIDs (sigstore/fulcio docs/oid-info.md, 1.3.6.1.4.1.57264.1.*).
// Read only after the certificate chain verified; imports nothing from storage or http.
import { ASN1Obj, X509Certificate } from '@sigstore/core';

const OID = {
  issuer: '1.3.6.1.4.1.57264.1.8',
  runner: '1.3.6.1.4.1.57264.1.11',
  sourceRepository: '1.3.6.1.4.1.57264.1.12',
  sourceCommit: '1.3.6.1.4.1.57264.1.13',
  sourceRef: '1.3.6.1.4.1.57264.1.14',
  buildConfig: '1.3.6.1.4.1.57264.1.18',
  buildTrigger: '1.3.6.1.4.1.57264.1.20',
  runInvocation: '1.3.6.1.4.1.57264.1.21',
} as const;

/** Where and how a version was built, as its signing certificate says. */
export interface BuildFacts {
  /** The certificate's SAN: for GitHub, the workflow file at a ref. */
  identity: string;
  issuer?: string;
  /** e.g. https://github.com/acme/widget */
  sourceRepository?: string;
  sourceCommit?: string;
  sourceRef?: string;
  /** e.g. https://github.com/acme/widget/.github/workflows/release.yml@refs/heads/main */
  buildConfig?: string;
  buildTrigger?: string;
  runner?: string;
  runInvocation?: string;
}

/** Fulcio's v2 extensions hold a DER UTF8String (tag 0x0c) in the OCTET STRING; the legacy ones raw text. */
function text(cert: X509Certificate, oid: string): string | undefined {
  const ext = cert.extension(oid);
  if (!ext) return undefined;
  const bytes = ext.value;
  const value =
    bytes[0] === 0x0c ? ASN1Obj.parseBuffer(bytes as Buffer<ArrayBuffer>).value.toString('utf8') : bytes.toString('utf8');
  return value.length > 0 ? value : undefined;
}

export function buildFacts(certDer: Buffer): BuildFacts {
  const cert = X509Certificate.parse(certDer as Buffer<ArrayBuffer>);
  const facts: BuildFacts = { identity: cert.extSubjectAltName?.uri ?? cert.extSubjectAltName?.rfc822Name ?? '' };
  for (const [field, oid] of Object.entries(OID) as [keyof typeof OID, string][]) {
    const value = text(cert, oid);
    if (value !== undefined) facts[field] = value;
  }
  return facts;
}
