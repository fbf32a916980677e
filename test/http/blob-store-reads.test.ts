// Tarballs are read through the domain's BlobStore, never from a file path: a store that can only
// stream (no local file, as an S3-compatible one) serves the very bytes and headers the file store
// does, on the framework path (first read) and the fast path (cached), for GET, HEAD and 304.
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { MemoryBlobStore } from '../support/memory-blobs.js';
import { packageBuilder } from '../fixtures/package-builder.js';

// Per exchange, not per answer: the clock, the framework's request id, the connection.
const IGNORED = new Set(['date', 'x-request-id', 'connection', 'keep-alive']);

interface Answer {
  status: number;
  head: string[];
  body: Buffer;
  viaFramework: boolean;
}

function read(base: string, method: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(base + path, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const head: string[] = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) {
          const name = res.rawHeaders[i]!.toLowerCase();
          if (!IGNORED.has(name)) head.push(`${name}: ${res.rawHeaders[i + 1]}`);
        }
        resolve({ status: res.statusCode!, head, body: Buffer.concat(chunks), viaFramework: 'x-request-id' in res.headers });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** Reads until the fast path answers (small tarballs reach its memory in the background). */
async function cachedRead(base: string, method: string, path: string, headers: Record<string, string> = {}) {
  for (let i = 0; i < 100; i++) {
    const answer = await read(base, method, path, headers);
    if (!answer.viaFramework) return answer;
    await new Promise((done) => setTimeout(done, 10));
  }
  throw new Error(`${method} ${path} was never answered by the fast path`);
}

for (const engine of ENGINES) {
  describe(`tarballs from a stream-only blob store (${engine})`, () => {
    const streamed = new MemoryBlobStore();
    let files: TestRegistry;
    let memory: TestRegistry;
    let users: Map<TestRegistry, TestUser>;
    // Incompressible, so the large tarball stays above the fast path's in-memory limit (512 kB).
    const big = randomBytes(700 * 1024);
    const builders = () => [
      packageBuilder('@acme/streamed', '1.0.0').file('index.js', "module.exports = 'streamed';\n"),
      packageBuilder('large-streamed', '1.0.0').file('blob.bin', big),
    ];

    beforeAll(async () => {
      files = await startRegistry(engine, { listen: true });
      memory = await startRegistry(engine, { listen: true, deps: { blobs: streamed } });
      users = new Map();
      for (const r of [files, memory]) {
        const alice = await r.createUser('alice');
        users.set(r, alice);
        for (const pkg of builders()) expect((await r.publish(alice, pkg)).statusCode).toBe(201);
      }
    });
    afterAll(async () => {
      await files?.close();
      await memory?.close();
    });

    it('writes tarballs to the given store, none to the data folder', () => {
      const blobsDir = join(memory.registry.config.dataDir, 'blobs');
      const written = (() => {
        try {
          return readdirSync(blobsDir, { recursive: true }).filter(
            (f) => String(f).endsWith('.tmp') || /[0-9a-f]{128}$/.test(String(f)),
          );
        } catch {
          return [];
        }
      })();
      expect(written).toEqual([]);
    });

    const cases: [string, string, string, Record<string, string>, number][] = [
      ['small tarball', 'GET', '/@acme/streamed/-/streamed-1.0.0.tgz', {}, 200],
      ['small tarball with a token', 'GET', '/@acme/streamed/-/streamed-1.0.0.tgz', { token: '' }, 200],
      ['small tarball HEAD', 'HEAD', '/@acme/streamed/-/streamed-1.0.0.tgz', {}, 200],
      ['large tarball', 'GET', '/large-streamed/-/large-streamed-1.0.0.tgz', {}, 200],
      ['large tarball HEAD', 'HEAD', '/large-streamed/-/large-streamed-1.0.0.tgz', {}, 200],
    ];
    for (const [kind, method, path, extra, status] of cases) {
      it(`${kind}: the same bytes and headers as from the file store, first read and cached`, async () => {
        const headersFor = (r: TestRegistry): Record<string, string> =>
          'token' in extra ? { authorization: `Bearer ${users.get(r)!.token}` } : {};
        const opensBefore = streamed.opened;
        const [fromFiles, fromMemory] = [
          await read(files.url, method, path, headersFor(files)),
          await read(memory.url, method, path, headersFor(memory)),
        ];
        expect(fromMemory.status).toBe(status);
        expect(fromMemory.head).toEqual(fromFiles.head);
        expect(fromMemory.body.equals(fromFiles.body)).toBe(true);
        if (method === 'GET') expect(fromMemory.body.length).toBeGreaterThan(0);
        else expect(fromMemory.body.length).toBe(0);
        // The first read of a URL is the framework's, through open().
        if (fromMemory.viaFramework) expect(streamed.opened).toBeGreaterThan(opensBefore);
        if (!kind.startsWith('small')) return;
        // The fast path answers a tarball once its packument is cached, as after npm's packument read.
        await read(memory.url, 'GET', '/@acme%2fstreamed');
        const cached = await cachedRead(memory.url, method, path, headersFor(memory));
        expect(cached.status).toBe(fromFiles.status);
        expect(cached.head).toEqual(fromMemory.head);
        expect(cached.body.equals(fromFiles.body)).toBe(true);
      });
    }

    it('a large tarball is the published bytes, streamed on every read', async () => {
      const doc = JSON.parse((await read(memory.url, 'GET', '/large-streamed')).body.toString()) as {
        versions: Record<string, { dist: { tarball: string } }>;
      };
      const path = new URL(doc.versions['1.0.0']!.dist.tarball).pathname;
      for (let i = 0; i < 2; i++) {
        const opensBefore = streamed.opened;
        const answer = await read(memory.url, 'GET', path);
        expect(answer.status).toBe(200);
        expect(answer.viaFramework).toBe(true);
        expect(streamed.opened).toBe(opensBefore + 1);
        expect(answer.body.equals((await read(files.url, 'GET', path)).body)).toBe(true);
      }
    });

    it('304 for a tarball whose ETag the client has, the same from both stores', async () => {
      const path = '/@acme/streamed/-/streamed-1.0.0.tgz';
      const etag = (await read(files.url, 'GET', path)).head.find((l) => l.startsWith('etag: '))!.slice(6);
      const [fromFiles, fromMemory] = [
        await read(files.url, 'GET', path, { 'if-none-match': etag }),
        await read(memory.url, 'GET', path, { 'if-none-match': etag }),
      ];
      expect(fromMemory.status).toBe(304);
      expect(fromMemory.head).toEqual(fromFiles.head);
      expect(fromMemory.body.length).toBe(0);
    });
  });
}
