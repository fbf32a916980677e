// The idle guard: a client that stops reading an answer mid-way for longer than idleTimeoutMs is
// cut off, whichever path answered, so a slow reader cannot hold the answer's memory and the
// connection; a client that reads gets every byte. The answer is larger than the socket buffers
// of both ends, so some of it waits in the server's own memory.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { packageBuilder } from '../fixtures/package-builder.js';

// Long enough that building the 7 MB packument never trips it, even on a busy machine.
const IDLE_MS = 1500;
const README = 'All work and no play makes a large packument. '.repeat(160_000); // ~7 MB

interface Stalled {
  fastPath: boolean;
  announced: number;
  received: number;
}

/** GETs `path`, stops reading after the first bytes for four idle periods, then reads what is left. */
function stalledRead(url: string, path: string): Promise<Stalled> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    let stalled = false;
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      if (stalled) return;
      stalled = true;
      socket.pause();
      setTimeout(() => socket.resume(), IDLE_MS * 4);
    });
    // A reset is how a connection cut with unsent bytes looks from here.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      const raw = Buffer.concat(chunks);
      const end = raw.indexOf('\r\n\r\n');
      if (end < 0) return reject(new Error('no answer head'));
      const head = raw.subarray(0, end).toString('latin1').toLowerCase();
      resolve({
        fastPath: !head.includes('\r\nx-request-id:'),
        announced: Number(/\r\ncontent-length: (\d+)/.exec(head)?.[1]),
        received: raw.length - end - 4,
      });
    });
    socket.write(`GET ${path} HTTP/1.1\r\nHost: registry.test\r\nAccept: application/json\r\nConnection: close\r\n\r\n`);
  });
}

for (const engine of ENGINES) {
  describe(`the idle guard (${engine})`, () => {
    let r: TestRegistry;
    beforeAll(async () => {
      r = await startRegistry(engine, {
        listen: true,
        config: {
          idleTimeoutMs: IDLE_MS,
          requestTimeoutMs: 0,
          maxReadmeBytes: 16 * 1024 * 1024,
          maxDocumentBytes: 64 * 1024 * 1024,
          readCacheBytes: 512 * 1024 * 1024,
        },
      });
      const alice = await r.createUser('alice');
      expect((await r.publish(alice, packageBuilder('big-readme', '1.0.0').readme(README))).statusCode).toBe(201);
    });
    afterAll(() => r.close());

    it('cuts off a reader that stops mid-answer, on the framework path and on the fast path', { timeout: 60_000 }, async () => {
      // One whole read first, so the rows are warm and the framework path's build is quick.
      await (await fetch(`${r.url}/big-readme`)).arrayBuffer();
      r.registry.packages.packuments.invalidate('big-readme');
      const first = await stalledRead(r.url, '/big-readme');
      const cached = await stalledRead(r.url, '/big-readme');
      expect([first.fastPath, cached.fastPath]).toEqual([false, true]);
      for (const read of [first, cached]) {
        expect(read.announced).toBeGreaterThan(README.length);
        expect(read.received).toBeLessThan(read.announced);
      }
    });

    it('gives a client that reads every byte, on both paths', async () => {
      r.registry.packages.packuments.invalidate('big-readme');
      for (let i = 0; i < 2; i++) {
        const res = await fetch(`${r.url}/big-readme`, { headers: { accept: 'application/json' } });
        const body = Buffer.from(await res.arrayBuffer());
        expect(body.length).toBe(Number(res.headers.get('content-length')));
        expect((JSON.parse(body.toString()) as { readme: string }).readme).toBe(README);
      }
    });
  });
}
