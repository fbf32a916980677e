// A local Sigstore for tests: a Fulcio-like CA (with a CT log) and a Rekor-like transparency log
// from @sigstore/mock, used in-process, and the trusted_root.json that names their keys. It
// signs provenance statements the way `npm publish --provenance` does (DSSE envelope, Fulcio
// certificate with the build's OIDs and an SCT, a dsse 0.0.1 log entry) and returns bundle v0.3 JSON.
import { createHash, generateKeyPairSync, sign, type KeyPairKeyObjectResult } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { initializeCA, initializeTLog } from '@sigstore/mock';
import { X509Certificate } from '@sigstore/core';
import { preAuthEncoding } from '../../src/domain/provenance/publish-attestation.js';

export const BUNDLE_V03 = 'application/vnd.dev.sigstore.bundle.v0.3+json';
const SINCE = '2020-01-01T00:00:00Z';

export interface BuildIdentity {
  /** e.g. acme/widget */
  repository: string;
  workflow?: string;
  commit?: string;
  ref?: string;
}

/** The mock log's answer, as Rekor's API shapes it. */
interface LoggedEntry {
  body: string;
  integratedTime: number;
  logID: string;
  logIndex: number;
  verification: {
    signedEntryTimestamp: string;
    inclusionProof: { logIndex: number; rootHash: string; treeSize: number; checkpoint: string };
  };
}

export interface LocalSigstore {
  trustedRoot: Record<string, unknown>;
  /** A bundle over the statement naming `subjects`, signed as a GitHub Actions build of `identity`. */
  provenance(subjects: { name: string; sha512Hex: string }[], identity: BuildIdentity): Promise<Record<string, unknown>>;
  /**
   * The log over HTTP as Rekor's API v1 answers `POST /api/v1/log/entries` for a proposed dsse
   * 0.0.1 entry: it stores the canonical body (hashes, signature, verifier), as Rekor does.
   */
  startRekor(): Promise<{ url: string; entries: number; close(): Promise<void> }>;
}

const b64 = (data: Buffer | string) => Buffer.from(data).toString('base64');
const ec = (namedCurve: string): KeyPairKeyObjectResult => generateKeyPairSync('ec', { namedCurve });
const spki = (pair: KeyPairKeyObjectResult) => pair.publicKey.export({ format: 'der', type: 'spki' });

/** A publish document with `bundle` attached as `npm publish --provenance` attaches it (libnpmpublish). */
export function withProvenance(
  body: Record<string, unknown>,
  name: string,
  version: string,
  bundle: unknown,
): Record<string, unknown> {
  const data = typeof bundle === 'string' ? bundle : JSON.stringify(bundle);
  (body._attachments as Record<string, unknown>)[`${name}-${version}.sigstore`] = {
    content_type: BUNDLE_V03,
    data,
    length: data.length,
  };
  return body;
}

export function purl(name: string, version: string): string {
  return `pkg:npm/${name.startsWith('@') ? `%40${name.slice(1)}` : name}@${version}`;
}

/**
 * A CT log for the mock CA, which hands it the precertificate and the issuer's key hash and
 * embeds what it returns. @sigstore/mock 0.11's own log returns an SCT that does not parse
 * (@sigstore/core 3.2: "request past end of buffer"), and its CA frames the SCT list with the list
 * length only; so this builds the SCT itself (RFC 6962 §3.2: v1, log id, timestamp, no
 * extensions, ECDSA-SHA256 over the precert entry) and prefixes the SCT's own length. npm's
 * sigstore-js requires one SCT per Fulcio certificate (ctlogThreshold 1), so without it no
 * locally-signed provenance would verify in `npm audit signatures`.
 */
function certificateTransparencyLog(keys: KeyPairKeyObjectResult): NonNullable<Parameters<typeof initializeCA>[1]> {
  const logID = createHash('sha256').update(spki(keys)).digest();
  const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
  return {
    publicKey: spki(keys),
    logID,
    async log(precert: ArrayBuffer, issuerID: ArrayBuffer): Promise<ArrayBuffer> {
      const tbs = X509Certificate.parse(Buffer.from(precert)).tbsCertificate.toDER();
      const timestamp = Buffer.alloc(8);
      timestamp.writeBigUInt64BE(BigInt(Date.now()));
      const tbsLength = Buffer.alloc(3);
      tbsLength.writeUIntBE(tbs.length, 0, 3);
      const signed = Buffer.concat([Buffer.from([0, 0]), timestamp, u16(1), Buffer.from(issuerID), tbsLength, tbs, u16(0)]);
      const sig = sign('sha256', signed, keys.privateKey);
      const sct = Buffer.concat([Buffer.from([0]), logID, timestamp, u16(0), Buffer.from([4, 3]), u16(sig.length), sig]);
      const framed = Buffer.concat([u16(sct.length), sct]);
      return framed.buffer.slice(framed.byteOffset, framed.byteOffset + framed.length);
    },
  };
}

export async function localSigstore(): Promise<LocalSigstore> {
  const caKeys = ec('secp384r1');
  const logKeys = ec('prime256v1');
  const ctKeys = ec('prime256v1');
  const ca = await initializeCA(caKeys, certificateTransparencyLog(ctKeys));
  const tlog = await initializeTLog('https://rekor.local.invalid', logKeys);
  const logId = createHash('sha256').update(spki(logKeys)).digest();
  const trustedRoot = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [
      {
        baseUrl: 'https://rekor.local.invalid',
        hashAlgorithm: 'SHA2_256',
        publicKey: { rawBytes: b64(spki(logKeys)), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start: SINCE } },
        logId: { keyId: b64(logId) },
      },
    ],
    certificateAuthorities: [
      {
        subject: { organization: 'gatehouse-test', commonName: 'gatehouse-test' },
        uri: 'https://fulcio.local.invalid',
        certChain: { certificates: [{ rawBytes: b64(ca.rootCertificate) }] },
        validFor: { start: SINCE },
      },
    ],
    ctlogs: [
      {
        baseUrl: 'https://ctfe.local.invalid',
        hashAlgorithm: 'SHA2_256',
        publicKey: { rawBytes: b64(spki(ctKeys)), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start: SINCE } },
        logId: { keyId: b64(createHash('sha256').update(spki(ctKeys)).digest()) },
      },
    ],
    timestampAuthorities: [],
  };

  async function provenance(subjects: { name: string; sha512Hex: string }[], id: BuildIdentity) {
    const workflow = id.workflow ?? 'release.yml';
    const ref = id.ref ?? 'refs/heads/main';
    const commit = id.commit ?? 'a'.repeat(40);
    const repoUrl = `https://github.com/${id.repository}`;
    const buildConfig = `${repoUrl}/.github/workflows/${workflow}@${ref}`;
    const statement = {
      _type: 'https://in-toto.io/Statement/v1',
      subject: subjects.map((s) => ({ name: s.name, digest: { sha512: s.sha512Hex } })),
      predicateType: 'https://slsa.dev/provenance/v1',
      predicate: {
        buildDefinition: {
          buildType: 'https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1',
          externalParameters: { workflow: { ref, repository: repoUrl, path: `.github/workflows/${workflow}` } },
          resolvedDependencies: [{ uri: `git+${repoUrl}@${ref}`, digest: { gitCommit: commit } }],
        },
        runDetails: {
          builder: { id: 'https://github.com/actions/runner/github-hosted' },
          metadata: { invocationId: `${repoUrl}/actions/runs/1/attempts/1` },
        },
      },
    };
    const payload = Buffer.from(JSON.stringify(statement));
    const payloadType = 'application/vnd.in-toto+json';
    const ephemeral = ec('prime256v1');
    const cert = await ca.issueCertificate({
      publicKey: spki(ephemeral),
      subjectAltName: buildConfig,
      extensions: [
        { oid: '1.3.6.1.4.1.57264.1.8', value: 'https://token.actions.githubusercontent.com' },
        { oid: '1.3.6.1.4.1.57264.1.11', value: 'github-hosted' },
        { oid: '1.3.6.1.4.1.57264.1.12', value: repoUrl },
        { oid: '1.3.6.1.4.1.57264.1.13', value: commit },
        { oid: '1.3.6.1.4.1.57264.1.14', value: ref },
        { oid: '1.3.6.1.4.1.57264.1.18', value: buildConfig },
        { oid: '1.3.6.1.4.1.57264.1.20', value: 'push' },
        { oid: '1.3.6.1.4.1.57264.1.21', value: `${repoUrl}/actions/runs/1/attempts/1` },
      ],
    });
    const signature = sign('sha256', preAuthEncoding(payloadType, payload), ephemeral.privateKey);
    const certPem = `-----BEGIN CERTIFICATE-----\n${b64(cert).replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`;
    // What Rekor stores for a dsse 0.0.1 entry: hashes and the signature with its verifier.
    const body = {
      apiVersion: '0.0.1',
      kind: 'dsse',
      spec: {
        payloadHash: { algorithm: 'sha256', value: createHash('sha256').update(payload).digest('hex') },
        signatures: [{ signature: b64(signature), verifier: b64(certPem) }],
      },
    };
    const logged = Object.values((await tlog.log(body)) as Record<string, LoggedEntry>)[0]!;
    return {
      mediaType: BUNDLE_V03,
      verificationMaterial: {
        certificate: { rawBytes: b64(cert) },
        tlogEntries: [
          {
            logIndex: String(logged.logIndex),
            logId: { keyId: b64(Buffer.from(logged.logID, 'hex')) },
            kindVersion: { kind: 'dsse', version: '0.0.1' },
            integratedTime: String(logged.integratedTime),
            inclusionPromise: { signedEntryTimestamp: logged.verification.signedEntryTimestamp },
            inclusionProof: {
              logIndex: String(logged.verification.inclusionProof.logIndex),
              rootHash: b64(Buffer.from(logged.verification.inclusionProof.rootHash, 'hex')),
              treeSize: String(logged.verification.inclusionProof.treeSize),
              hashes: [],
              checkpoint: { envelope: logged.verification.inclusionProof.checkpoint },
            },
            canonicalizedBody: logged.body,
          },
        ],
      },
      dsseEnvelope: { payload: b64(payload), payloadType, signatures: [{ sig: b64(signature), keyid: '' }] },
    };
  }
  async function startRekor() {
    const state = { entries: 0 };
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void (async () => {
          if (req.method !== 'POST' || req.url !== '/api/v1/log/entries') return res.writeHead(404).end();
          const proposed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
            kind: string;
            spec: { proposedContent: { envelope: string; verifiers: string[] } };
          };
          if (proposed.kind !== 'dsse') return res.writeHead(400).end('{"message":"only dsse here"}');
          const { envelope, verifiers } = proposed.spec.proposedContent;
          const parsed = JSON.parse(envelope) as { payload: string; signatures: { sig: string }[] };
          const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
          const body = {
            apiVersion: '0.0.1',
            kind: 'dsse',
            spec: {
              envelopeHash: { algorithm: 'sha256', value: sha256(envelope) },
              payloadHash: { algorithm: 'sha256', value: sha256(Buffer.from(parsed.payload, 'base64')) },
              signatures: [{ signature: parsed.signatures[0]!.sig, verifier: verifiers[0] }],
            },
          };
          const logged = await tlog.log(body);
          state.entries += 1;
          res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify(logged));
        })().catch(() => res.writeHead(500).end());
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      get entries() {
        return state.entries;
      },
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  }
  return { trustedRoot, provenance, startRekor };
}
