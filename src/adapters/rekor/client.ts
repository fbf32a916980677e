// A Rekor transparency log reached over HTTP (Rekor's REST API v1: POST /api/v1/log/entries with a
// proposed dsse 0.0.1 entry). The registry's publish attestations are logged here, as npm's registry
// logs its own in Sigstore's public Rekor. The answer is read up to a bound: a log answers a few KiB.
import type { AttestationLog } from '../../domain/provenance/publish-attestation.js';

const MAX_ANSWER_BYTES = 256 * 1024;

export class RekorClient implements AttestationLog {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
  ) {}

  async logDsse(envelope: string, publicKeyPem: string): Promise<unknown> {
    const response = await fetch(`${this.baseUrl.replace(/\/+$/, '')}/api/v1/log/entries`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'user-agent': 'gatehouse-registry' },
      body: JSON.stringify({
        apiVersion: '0.0.1',
        kind: 'dsse',
        spec: { proposedContent: { envelope, verifiers: [Buffer.from(publicKeyPem).toString('base64')] } },
      }),
      signal: AbortSignal.timeout(this.timeoutMs),
      redirect: 'error',
    });
    const bytes = Buffer.from(await response.arrayBuffer());
    if (response.status !== 201) throw new Error(`the log answered ${response.status}`);
    if (bytes.length > MAX_ANSWER_BYTES) throw new Error('the log answered with more than 256 KiB');
    try {
      return JSON.parse(bytes.toString('utf8')) as unknown;
    } catch {
      throw new Error('the log answered with something that is not JSON');
    }
  }
}
