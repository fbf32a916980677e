// A witness for tests, written from C2SP tlog-witness and tlog-cosignature and sharing no code
// with src/domain/transparency: it keeps, per log, the newest checkpoint it cosigned; checks the
// log's Ed25519 signature and a consistency proof from that checkpoint itself (test/support/rfc6962),
// and only then answers with a cosignature line. 409 with its size when the client's `old` is wrong.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { checkConsistency } from './rfc6962.js';

export interface TestWitness {
  url: string;
  /** The witness's vkey (type 0x04, cosignature/v1), for the registry's config. */
  vkey: string;
  name: string;
  publicKey: Buffer;
  /** Starts trusting a log: its vkey as /-/tlog/vkey serves it. */
  trust(logVkey: string): void;
  /** What it cosigned last per origin. */
  seen: Map<string, { size: number; root: Buffer }>;
  requests: number;
  close(): Promise<void>;
}

const keyId = (name: string, type: number, key: Buffer) =>
  createHash('sha256')
    .update(Buffer.concat([Buffer.from(`${name}\n`), Buffer.from([type]), key]))
    .digest()
    .subarray(0, 4);

export async function startWitness(name = 'witness.test/w1'): Promise<TestWitness> {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  const logs = new Map<string, { key: KeyObject; id: Buffer }>();
  const seen = new Map<string, { size: number; root: Buffer }>();
  const state = { requests: 0 };

  function answer(body: string): { status: number; body: string; type?: string } {
    const split = body.indexOf('\n\n');
    if (split < 0) return { status: 400, body: 'no blank line\n' };
    const head = body.slice(0, split).split('\n');
    const note = body.slice(split + 2);
    const old = /^old (\d+)$/.exec(head[0] ?? '');
    if (!old) return { status: 400, body: 'no old line\n' };
    const proof = head.slice(1).map((line) => Buffer.from(line, 'base64'));
    const sigAt = note.lastIndexOf('\n\n');
    const text = note.slice(0, sigAt + 1);
    const [origin, sizeText, rootText] = text.split('\n');
    const log = logs.get(origin ?? '');
    if (!log) return { status: 404, body: 'unknown log\n' };
    const signed = note
      .slice(sigAt + 2)
      .split('\n')
      .filter(Boolean)
      .some((line) => {
        const [dash, who, sig] = line.split(' ');
        const bytes = Buffer.from(sig ?? '', 'base64');
        return (
          dash === '\u2014' &&
          who === origin &&
          bytes.subarray(0, 4).equals(log.id) &&
          verify(null, Buffer.from(text), log.key, bytes.subarray(4))
        );
      });
    if (!signed) return { status: 403, body: 'bad log signature\n' };
    const size = Number(sizeText);
    const root = Buffer.from(rootText ?? '', 'base64');
    const mine = seen.get(origin!) ?? { size: 0, root: Buffer.alloc(0) };
    if (Number(old[1]) !== mine.size) return { status: 409, body: `${mine.size}\n`, type: 'text/x.tlog.size' };
    if (size < mine.size) return { status: 400, body: 'older than what I saw\n' };
    if (mine.size > 0 && !checkConsistency(mine.size, size, proof, mine.root, root)) {
      return { status: 422, body: 'inconsistent\n' };
    }
    seen.set(origin!, { size, root });
    const time = Math.floor(Date.now() / 1000);
    const signature = sign(null, Buffer.from(`cosignature/v1\ntime ${time}\n${text}`), privateKey);
    const stamp = Buffer.alloc(8);
    stamp.writeBigUInt64BE(BigInt(time));
    const line = `\u2014 ${name} ${Buffer.concat([keyId(name, 4, raw), stamp, signature]).toString('base64')}\n`;
    return { status: 200, body: line };
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.requests += 1;
      if (req.method !== 'POST' || req.url !== '/add-checkpoint') return res.writeHead(404).end();
      const out = answer(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(out.status, { 'content-type': out.type ?? 'text/plain; charset=utf-8' }).end(out.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    vkey: `${name}+${keyId(name, 4, raw).toString('hex')}+${Buffer.concat([Buffer.from([4]), raw]).toString('base64')}`,
    name,
    publicKey: raw,
    trust(logVkey) {
      const [origin, id, key] = logVkey.trim().split(/\+(?=[0-9a-f]{8}\+)|(?<=\+[0-9a-f]{8})\+/) as [string, string, string];
      const bytes = Buffer.from(key, 'base64');
      const jwk = { kty: 'OKP', crv: 'Ed25519', x: bytes.subarray(1).toString('base64url') };
      logs.set(origin, { key: createPublicKey({ key: jwk, format: 'jwk' }), id: Buffer.from(id, 'hex') });
    },
    seen,
    get requests() {
      return state.requests;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
