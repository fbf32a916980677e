// The event transparency log as a client reads it over HTTP: every publish, deprecation, dist-tag
// and owner change becomes a leaf; the checkpoint is signed by the published key and cosigned by a
// local witness that checks consistency itself; tiles, entry bundles and proofs are checked with
// the independent RFC 6962 implementation in test/support, never with the log's own code.
import { createHash, createPublicKey, verify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { startWitness, type TestWitness } from '../support/witness.js';
import { packageBuilder } from '../fixtures/package-builder.js';
import * as npm from '../support/npm-protocol.js';
import * as rfc from '../support/rfc6962.js';
import { openRegistry } from '../../src/registry.js';

interface Checkpoint {
  origin: string;
  size: number;
  root: Buffer;
  text: string;
  lines: string[];
}

function readCheckpoint(note: string): Checkpoint {
  const [text, sigs] = note.split('\n\n') as [string, string];
  const [origin, size, root] = text.split('\n') as [string, string, string];
  return {
    origin,
    size: Number(size),
    root: Buffer.from(root, 'base64'),
    text: `${text}\n`,
    lines: sigs.split('\n').filter(Boolean),
  };
}

/** `name+id+key` → name and raw key, checked the way the signed-note spec defines the id. */
function readVkey(vkey: string): { name: string; key: Buffer; id: Buffer } {
  // a key name holds no '+'; the base64 key may
  const match = /^([^+]+)\+([0-9a-f]{8})\+(.+)$/.exec(vkey.trim())!;
  const [, name, id, key] = match as unknown as [string, string, string, string];
  const bytes = Buffer.from(key, 'base64');
  const computed = createHash('sha256')
    .update(Buffer.concat([Buffer.from(`${name}\n`), bytes]))
    .digest()
    .subarray(0, 4);
  expect(computed.toString('hex')).toBe(id);
  return { name, key: bytes.subarray(1), id: computed };
}

function ed25519Verifies(key: Buffer, message: Buffer, signature: Buffer): boolean {
  return verify(
    null,
    message,
    createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: key.toString('base64url') }, format: 'jwk' }),
    signature,
  );
}

const tileIndex = (n: number) => {
  const digits = String(n)
    .padStart(Math.ceil(String(n).length / 3) * 3, '0')
    .match(/.{3}/g)!;
  return digits.map((g, i) => (i < digits.length - 1 ? `x${g}` : g)).join('/');
};

for (const engine of ENGINES) {
  describe(`the event transparency log (${engine})`, () => {
    let r: TestRegistry;
    let witness: TestWitness;
    let alice: TestUser;

    beforeAll(async () => {
      witness = await startWitness();
      r = await startRegistry(engine, {
        config: { tlogOrigin: 'registry.test/tlog', tlogWitnesses: `${witness.vkey} ${witness.url}` },
      });
      witness.trust((await r.inject({ method: 'GET', url: '/-/tlog/vkey' })).body);
      alice = await r.createUser('alice');
    });
    afterAll(async () => {
      await r.close();
      await witness.close();
    });

    const get = (url: string) => r.inject({ method: 'GET', url });
    const checkpoint = async () => readCheckpoint((await get('/-/tlog/checkpoint')).body);
    /** Every entry, read through the entry bundles as tlog-tiles tooling reads them. */
    async function allEntries(size: number): Promise<Buffer[]> {
      const entries: Buffer[] = [];
      for (let n = 0; n * 256 < size; n++) {
        const width = Math.min(256, size - n * 256);
        const res = await get(`/-/tlog/tile/entries/${tileIndex(n)}${width < 256 ? `.p/${width}` : ''}`);
        expect(res.statusCode).toBe(200);
        const bundle = res.rawPayload;
        for (let at = 0; at < bundle.length; ) {
          const length = bundle.readUInt16BE(at);
          entries.push(bundle.subarray(at + 2, at + 2 + length));
          at += 2 + length;
        }
      }
      return entries;
    }

    it('logs publishes, deprecations, dist-tags and owner changes, and its checkpoint root is the root of those entries', async () => {
      const empty = await checkpoint();
      expect(empty.size).toBe(0);
      await npm.published(r, alice, packageBuilder('tlog-pad', '1.0.0'));
      await npm.published(r, alice, packageBuilder('tlog-pad', '1.1.0'));
      await npm.published(r, alice, packageBuilder('@acme/tool', '0.1.0'));
      await npm.deprecate(r, alice, 'tlog-pad', (doc) => (doc.versions['1.0.0']!.deprecated = 'use 1.1.0'));
      expect((await npm.addDistTag(r, alice, 'tlog-pad', 'stable', '1.0.0')).statusCode).toBe(200);
      await r.registry.transparency.sync();
      const cp = await checkpoint();
      expect(cp.origin).toBe('registry.test/tlog');
      const entries = await allEntries(cp.size);
      const kinds = entries.map((e) => (JSON.parse(e.toString('utf8')) as { type: string }).type);
      expect(kinds).toEqual([
        'package.published',
        'package.published',
        'package.published',
        'version.deprecated',
        'dist_tag.set',
      ]);
      // the publish leaf binds name@version to its sha512
      const first = JSON.parse(entries[0]!.toString('utf8')) as {
        packageName: string;
        version: string;
        data: { integrity: string };
      };
      const packument = await npm.packument(r, 'tlog-pad');
      expect([first.packageName, first.version, first.data.integrity]).toEqual([
        'tlog-pad',
        '1.0.0',
        packument.versions['1.0.0']!.dist.integrity,
      ]);
      expect(rfc.mth(entries.map(rfc.leaf)).equals(cp.root)).toBe(true);
    });

    it('signs the checkpoint with the key it publishes, and the local witness cosigns it after checking consistency', async () => {
      const cp = await checkpoint();
      const log = readVkey((await get('/-/tlog/vkey')).body);
      const own = cp.lines.find((l) => l.startsWith(`\u2014 ${log.name} `))!;
      const sig = Buffer.from(own.split(' ')[2]!, 'base64');
      expect(sig.subarray(0, 4).equals(log.id)).toBe(true);
      expect(ed25519Verifies(log.key, Buffer.from(cp.text), sig.subarray(4))).toBe(true);
      const cosig = cp.lines.find((l) => l.startsWith(`\u2014 ${witness.name} `))!;
      const bytes = Buffer.from(cosig.split(' ')[2]!, 'base64');
      const time = bytes.readBigUInt64BE(4);
      expect(
        ed25519Verifies(witness.publicKey, Buffer.from(`cosignature/v1\ntime ${time}\n${cp.text}`), bytes.subarray(12)),
      ).toBe(true);
      expect(witness.seen.get(cp.origin)?.size).toBe(cp.size);

      // the witness now holds size 5: a new checkpoint reaches it with a consistency proof it checks
      await npm.published(r, alice, packageBuilder('tlog-pad', '1.2.0'));
      await r.registry.transparency.sync();
      const next = await checkpoint();
      expect(next.size).toBe(cp.size + 1);
      expect(next.lines.some((l) => l.startsWith(`\u2014 ${witness.name} `))).toBe(true);
      expect(witness.seen.get(cp.origin)?.size).toBe(next.size);
    });

    it('serves hash tiles that hold the tree level an independent implementation computes', async () => {
      const cp = await checkpoint();
      const hashes = (await allEntries(cp.size)).map(rfc.leaf);
      const tile = await get(`/-/tlog/tile/0/000.p/${cp.size}`);
      expect(tile.statusCode).toBe(200);
      expect(tile.rawPayload.equals(Buffer.concat(hashes))).toBe(true);
      expect((await get(`/-/tlog/tile/0/000.p/${cp.size + 1}`)).statusCode).toBe(400);
      expect((await get('/-/tlog/tile/1/000.p/1')).statusCode).toBe(400);
      expect((await get('/-/tlog/tile/0/0')).statusCode).toBe(400);
    });

    it('gives inclusion proofs for every leaf and by name@version that recompute the checkpoint root', async () => {
      const cp = await checkpoint();
      const hashes = (await allEntries(cp.size)).map(rfc.leaf);
      for (let leaf = 0; leaf < cp.size; leaf++) {
        const res = await get(`/-/tlog/proof/inclusion?leaf=${leaf}&size=${cp.size}`);
        const proof = res.json<{ proof: string[] }>().proof.map((p) => Buffer.from(p, 'base64'));
        expect(rfc.rootFromPath(leaf, cp.size, hashes[leaf]!, proof).equals(cp.root)).toBe(true);
      }
      const byVersion = await get(`/-/tlog/proof/inclusion?name=tlog-pad&version=1.1.0&size=${cp.size}`);
      const body = byVersion.json<{ leaf: number; entry: string; proof: string[] }>();
      expect(body.leaf).toBe(1);
      const proof = body.proof.map((p) => Buffer.from(p, 'base64'));
      expect(rfc.rootFromPath(1, cp.size, rfc.leaf(Buffer.from(body.entry)), proof).equals(cp.root)).toBe(true);
    });

    it('gives consistency proofs an independent check accepts from every older size', async () => {
      const cp = await checkpoint();
      const hashes = (await allEntries(cp.size)).map(rfc.leaf);
      for (let from = 0; from <= cp.size; from++) {
        const res = await get(`/-/tlog/proof/consistency?from=${from}&to=${cp.size}`);
        const proof = res.json<{ proof: string[] }>().proof.map((p) => Buffer.from(p, 'base64'));
        expect(rfc.checkConsistency(from, cp.size, proof, rfc.mth(hashes.slice(0, from)), cp.root), `from ${from}`).toBe(true);
      }
    });

    it('refuses proof requests out of range with a 4xx that says so', async () => {
      const { size } = await checkpoint();
      const cases: [string, number, string][] = [
        [`/-/tlog/proof/inclusion?leaf=${size}&size=${size}`, 400, 'TlogOutOfRange'],
        [`/-/tlog/proof/inclusion?leaf=0&size=${size + 1}`, 400, 'TlogOutOfRange'],
        ['/-/tlog/proof/inclusion?leaf=-1', 400, 'BadRequest'],
        ['/-/tlog/proof/inclusion?leaf=1.5', 400, 'BadRequest'],
        ['/-/tlog/proof/inclusion?leaf=0&leaf=1', 400, 'BadRequest'],
        ['/-/tlog/proof/inclusion', 400, 'BadRequest'],
        ['/-/tlog/proof/inclusion?name=tlog-pad&version=9.9.9', 404, 'TlogEntryNotFound'],
        ['/-/tlog/proof/inclusion?name=tlog-pad&version=1.2.0&size=1', 404, 'TlogEntryNotFound'],
        [`/-/tlog/proof/consistency?from=${size + 1}&to=${size}`, 400, 'TlogOutOfRange'],
        [`/-/tlog/proof/consistency?from=0&to=${size + 1}`, 400, 'TlogOutOfRange'],
        ['/-/tlog/proof/consistency?from=99999999999999999999', 400, 'BadRequest'],
        ['/-/tlog/tile/entries/000.p/999', 400, 'BadRequest'],
      ];
      for (const [url, status, code] of cases) {
        const res = await get(url);
        expect(res.statusCode, url).toBe(status);
        expect(res.json<{ code: string }>().code, url).toBe(code);
        expect(res.json<{ error: string }>().error.length, url).toBeGreaterThan(10);
      }
    });

    it('keeps a restricted package out of the public log', async () => {
      const before = await checkpoint();
      const res = await r.publish(alice, packageBuilder('@alice/secret', '1.0.0'), { access: 'restricted' });
      expect(res.statusCode, res.body).toBe(201);
      await r.registry.transparency.sync();
      const after = await checkpoint();
      expect(after.size).toBe(before.size);
      expect((await allEntries(after.size)).some((e) => e.toString('utf8').includes('@alice/secret'))).toBe(false);
    });

    it('replicates every leaf in event order through the feed, page by page', async () => {
      const { size } = await checkpoint();
      const seen: { seq: number; leaf: number }[] = [];
      let since = 0;
      for (;;) {
        const page = (await get(`/-/tlog/feed?since=${since}&limit=2`)).json<{
          results: { seq: number; leaf: number }[];
          last_seq: number;
        }>();
        if (page.results.length === 0) break;
        seen.push(...page.results.map(({ seq, leaf }) => ({ seq, leaf })));
        since = page.last_seq;
      }
      expect(seen.map((s) => s.leaf)).toEqual([...Array(size).keys()]);
      expect(seen.every((s, i) => i === 0 || s.seq > seen[i - 1]!.seq)).toBe(true);
    });

    it('never doubles or skips a leaf when two instances append the same events at once', async () => {
      const other = await openRegistry(r.registry.config);
      try {
        for (let i = 0; i < 30; i++) await npm.published(r, alice, packageBuilder('raced', `1.0.${i}`));
        // Two instances in one process cannot hold SQLite transactions at once (better-sqlite3 waits
        // for the lock synchronously, blocking the holder); there they take turns mid-stream.
        if (engine === 'postgres') {
          await Promise.all([r.registry.transparency.sync(), other.transparency.sync(), r.registry.transparency.sync()]);
        } else {
          await r.registry.transparency.stop();
          await other.transparency.sync();
          await npm.published(r, alice, packageBuilder('raced', '2.0.0'));
          await r.registry.transparency.stop();
          await r.registry.transparency.sync();
          await other.transparency.sync();
        }
        const cp = await checkpoint();
        const entries = await allEntries(cp.size);
        const seqs = entries.map((e) => (JSON.parse(e.toString('utf8')) as { seq: number }).seq);
        expect(new Set(seqs).size).toBe(seqs.length);
        expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
        expect(entries.filter((e) => e.toString('utf8').includes('"raced"'))).toHaveLength(engine === 'postgres' ? 30 : 31);
        expect(rfc.mth(entries.map(rfc.leaf)).equals(cp.root)).toBe(true);
        // one key for the fleet: the other instance signs with the key the first one made
        expect(await other.transparency.verifierKey()).toBe(await r.registry.transparency.verifierKey());
      } finally {
        await other.close();
      }
    });
  });
}

for (const engine of ENGINES) {
  describe(`the transparency log with its witness down (${engine})`, () => {
    it('appends and signs anyway, and the checkpoint carries no cosignature', async () => {
      const gone = await startWitness('witness.test/gone');
      await gone.close();
      const r = await startRegistry(engine, { config: { tlogWitnesses: `${gone.vkey} ${gone.url}` } });
      try {
        const alice = await r.createUser('alice');
        await npm.published(r, alice, packageBuilder('lonely', '1.0.0'));
        await r.registry.transparency.sync();
        const cp = readCheckpoint((await r.inject({ method: 'GET', url: '/-/tlog/checkpoint' })).body);
        expect(cp.size).toBe(1);
        expect(cp.lines).toHaveLength(1);
      } finally {
        await r.close();
      }
    });
  });
}
