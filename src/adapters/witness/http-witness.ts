// A witness reached over HTTP (C2SP tlog-witness): POST <url>/add-checkpoint with the request as
// text. The answer is read up to a small bound: a witness returns a few signature lines, and a
// hostile or broken one must not make us buffer without end.
import type { WitnessAnswer, WitnessClient } from '../../domain/transparency/witnesses.js';

const MAX_ANSWER_BYTES = 16 * 1024;

export class HttpWitnessClient implements WitnessClient {
  constructor(private readonly timeoutMs: number) {}

  async addCheckpoint(url: string, body: string): Promise<WitnessAnswer> {
    const response = await fetch(`${url.replace(/\/+$/, '')}/add-checkpoint`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8', 'user-agent': 'gatehouse-registry' },
      body,
      signal: AbortSignal.timeout(this.timeoutMs),
      redirect: 'error',
    });
    const bytes = Buffer.from(await response.arrayBuffer());
    if (bytes.length > MAX_ANSWER_BYTES) return { status: 502, body: '' };
    return { status: response.status, body: bytes.toString('utf8') };
  }
}
