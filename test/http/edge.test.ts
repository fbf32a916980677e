// The HTTP edge under hostile clients: writes refused before their body is read, per-route body
// limits, `?write=true` only for those who may write, undecodable URLs, request ids, and the
// timeouts and connection cap that keep slow clients from holding the server.
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { packageBuilder } from '../fixtures/package-builder.js';
import { generateToken } from '../../src/domain/tokens/format.js';
import { openRegistry } from '../../src/registry.js';
import { buildApp } from '../../src/http/app.js';
import { codeOf, rawRequest, requestHead } from './raw-http.js';
import { tokenContext } from '../support/context.js';

const THIRTY_MB = 30 * 1024 * 1024;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Headers announcing `length` body bytes, of which only a few KB follow. */
function announce(method: string, path: string, length: number, extra: string[] = [], type = 'application/json') {
  const head = requestHead(method, path, [`Content-Type: ${type}`, `Content-Length: ${length}`, ...extra]);
  return { head, body: Buffer.alloc(4096, 0x20) };
}

for (const engine of ENGINES) {
  describe(`writes are authenticated before their body is read (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    let revoked: string;
    beforeAll(async () => {
      r = await startRegistry(engine, { listen: true, config: { maxDocumentBytes: 64 * 1024 } });
      alice = await r.createUser('alice');
      revoked = (await r.createUser('rita')).token;
      const rita = tokenContext(await r.registry.tokens.authenticate(revoked));
      expect(await r.registry.tokens.revokeBySecret(rita, revoked)).toBe(true);
    });
    afterAll(() => r.close());

    const credentials: [string, string[]][] = [
      ['no credentials', []],
      ['a malformed Authorization header', ['Authorization: Basic YWxpY2U6cHc=']],
      ['an unknown token', [`Authorization: Bearer ${generateToken()}`]],
      ['a revoked token', []],
    ];
    for (const [what, extra] of credentials) {
      it(`answers a 30 MB publish with ${what} 401 and closes the connection after 4 KB`, async () => {
        const headers = what === 'a revoked token' ? [`Authorization: Bearer ${revoked}`] : extra;
        const res = await rawRequest(r.url, announce('PUT', '/big-anon', THIRTY_MB, headers));
        expect(res.status).toBe(401);
        expect(codeOf(res)).toBe('Unauthenticated');
        expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
        expect(res.headers.connection).toBe('close');
        expect(res.closed).toBe(true);
        expect((await r.inject({ method: 'GET', url: '/big-anon' })).statusCode).toBe(404);
      });
    }

    it('refuses anonymous DELETEs and npm API POSTs before their body too', async () => {
      for (const [method, path] of [
        ['DELETE', '/-/package/big-anon/dist-tags/latest'],
        ['DELETE', '/big-anon/-rev/1-abc'],
        ['PUT', '/-/package/big-anon/dist-tags/latest'],
        ['POST', '/-/npm/v1/tokens'],
      ] as const) {
        const res = await rawRequest(r.url, announce(method, path, THIRTY_MB));
        expect([method, path, res.status, codeOf(res), res.closed]).toEqual([method, path, 401, 'Unauthenticated', true]);
      }
    });

    it('holds login bodies to 16 KB, answering 413 in our shape before reading them', async () => {
      for (const [path, type] of [
        ['/-/user/org.couchdb.user:alice', 'application/json'],
        ['/-/v1/login', 'application/json'],
        ['/login/cli/0123456789abcdef', 'application/x-www-form-urlencoded'],
      ] as const) {
        const method = path.startsWith('/-/user/') ? 'PUT' : 'POST';
        const res = await rawRequest(r.url, announce(method, path, 1024 * 1024, [], type));
        expect([path, res.status, res.closed]).toEqual([path, 413, true]);
        expect(Object.keys(JSON.parse(res.body) as object)).toEqual(['error', 'message', 'code']);
        expect(codeOf(res)).toBe('BodyTooLarge');
      }
    });

    it('keeps logins anonymous', async () => {
      const legacy = await r.inject({
        method: 'PUT',
        url: '/-/user/org.couchdb.user:alice',
        payload: { name: 'alice', password: alice.password },
      });
      expect(legacy.statusCode).toBe(201);
      expect(legacy.json().token).toMatch(/^gth_/);
      const web = await r.inject({ method: 'POST', url: '/-/v1/login', payload: {} });
      expect(web.statusCode).toBe(200);
      expect(web.json().doneUrl).toContain('/-/v1/done/');
    });

    it('gives a dist-tag write a kilobyte and a document write-back maxDocumentBytes, publish the most', async () => {
      const builder = packageBuilder('limits-pkg', '1.0.0').file('blob.bin', randomBytes(96 * 1024).toString('base64'));
      // The publish body is bigger than maxDocumentBytes (64 KB here): only publish may be that big.
      expect((await r.publish(alice, builder)).statusCode).toBe(201);
      const tag = await r.inject({
        method: 'PUT',
        url: '/-/package/limits-pkg/dist-tags/next',
        headers: { ...bearer(alice.token), 'content-type': 'application/json' },
        payload: JSON.stringify('1.0.0' + ' '.repeat(2048)),
      });
      expect([tag.statusCode, tag.json().code]).toEqual([413, 'BodyTooLarge']);
      const doc = { _id: 'limits-pkg', _rev: '1-x', padding: 'x'.repeat(80 * 1024) };
      const rev = await r.inject({ method: 'PUT', url: '/limits-pkg/-rev/1-x', headers: bearer(alice.token), payload: doc });
      expect([rev.statusCode, rev.json().code]).toEqual([413, 'BodyTooLarge']);
      // Chunked: no size declared, so the limit is counted as the body arrives.
      const json = JSON.stringify(doc);
      const chunked = await rawRequest(r.url, {
        head: requestHead('PUT', '/limits-pkg/-rev/1-x', [
          'Content-Type: application/json',
          `Authorization: Bearer ${alice.token}`,
          'Transfer-Encoding: chunked',
        ]),
        body: `${Buffer.byteLength(json).toString(16)}\r\n${json}\r\n0\r\n\r\n`,
      });
      expect([chunked.status, codeOf(chunked)]).toEqual([413, 'BodyTooLarge']);
      const packument = (await r.inject({ method: 'GET', url: '/limits-pkg' })).json();
      expect(packument['dist-tags']).toEqual({ latest: '1.0.0' });
      expect(packument.padding).toBeUndefined();
    });
  });

  describe(`?write=true is honoured only for who may write (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    let bob: TestUser;
    beforeAll(async () => {
      r = await startRegistry(engine);
      alice = await r.createUser('alice');
      bob = await r.createUser('bob');
    });
    afterAll(() => r.close());

    it('serves everyone else the cached packument while the owner gets the newest', async () => {
      expect((await r.publish(alice, packageBuilder('fresh-thing', '1.0.0'))).statusCode).toBe(201);
      expect((await r.inject({ method: 'GET', url: '/fresh-thing' })).statusCode).toBe(200);
      // Another instance of the fleet publishes; this one has not heard of it yet (no event polling).
      const other = await openRegistry(r.registry.config);
      const otherApp = await buildApp(other, { logger: false });
      const put = await otherApp.inject({
        method: 'PUT',
        url: '/fresh-thing',
        headers: bearer(alice.token),
        payload: packageBuilder('fresh-thing', '1.0.1').publishBody(r.url),
      });
      expect(put.statusCode).toBe(201);
      await otherApp.close();
      await other.close();
      const versions = async (headers: Record<string, string>) =>
        Object.keys((await r.inject({ method: 'GET', url: '/fresh-thing?write=true', headers })).json().versions);
      expect(await versions({})).toEqual(['1.0.0']);
      expect(await versions(bearer(bob.token))).toEqual(['1.0.0']);
      expect(await versions(bearer(alice.token))).toEqual(['1.0.0', '1.0.1']);
    });
  });

  describe(`slow clients and many connections (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    beforeAll(async () => {
      r = await startRegistry(engine, {
        listen: true,
        config: { headersTimeoutMs: 300, requestTimeoutMs: 600, idleTimeoutMs: 3000, maxConnections: 3 },
      });
      alice = await r.createUser('alice');
    });
    afterAll(() => r.close());

    it('answers a body trickled slower than requestTimeoutMs with 408 or a closed connection', async () => {
      const res = await rawRequest(r.url, {
        head: requestHead('PUT', '/slow-pkg', [
          'Content-Type: application/json',
          `Authorization: Bearer ${alice.token}`,
          'Content-Length: 1000',
        ]),
        body: '{"name":',
        trickle: { bytes: 1000, every: 100 },
      });
      expect(res.closed).toBe(true);
      expect([res.status, codeOf(res)]).toEqual([408, 'RequestTimeout']);
      expect((await r.inject({ method: 'GET', url: '/slow-pkg' })).statusCode).toBe(404);
    });

    it('answers headers trickled slower than headersTimeoutMs with 408', async () => {
      const res = await rawRequest(r.url, {
        head: requestHead('GET', '/-/ping'),
        headUnfinished: true,
        trickle: { bytes: 1000, every: 100 },
      });
      expect(res.closed).toBe(true);
      expect([res.status, codeOf(res)]).toEqual([408, 'RequestTimeout']);
    });

    it('still takes a normal publish over the network', async () => {
      const res = await fetch(`${r.url}/quick-pkg`, {
        method: 'PUT',
        headers: { ...bearer(alice.token), 'content-type': 'application/json' },
        body: JSON.stringify(packageBuilder('quick-pkg', '1.0.0').publishBody(r.url)),
      });
      expect(res.status).toBe(201);
    });

    it('closes connections beyond maxConnections at once', async () => {
      const held: Socket[] = [];
      try {
        for (let i = 0; i < 3; i++) {
          const socket = connect(Number(new URL(r.url).port), '127.0.0.1');
          await new Promise((resolve) => socket.once('connect', resolve));
          held.push(socket);
        }
        const res = await rawRequest(r.url, { head: requestHead('GET', '/-/ping') });
        expect([res.status, res.closed]).toEqual([undefined, true]);
      } finally {
        for (const socket of held) socket.destroy();
      }
    });
  });
}

describe('a route may declare itself an anonymous write', () => {
  it('is called without credentials when its config says anonymousWrite', async () => {
    const r = await startRegistry('sqlite');
    try {
      r.app.post('/-/test/anonymous', { config: { anonymousWrite: true } }, async () => ({ ok: true }));
      r.app.post('/-/test/signed-in', async () => ({ ok: true }));
      expect((await r.inject({ method: 'POST', url: '/-/test/anonymous', payload: {} })).statusCode).toBe(200);
      expect((await r.inject({ method: 'POST', url: '/-/test/signed-in', payload: {} })).statusCode).toBe(401);
    } finally {
      await r.close();
    }
  });
});

describe('undecodable URLs and request ids', () => {
  let r: TestRegistry;
  beforeAll(async () => {
    r = await startRegistry('sqlite', { listen: true });
  });
  afterAll(() => r.close());

  const BAD = ['/%E0%A4%A', '/%zz', '/@scope%2fna%zzme', '/na%zzme/-/na%zzme-1.0.0.tgz', '/-/package/%zz/dist-tags'];

  it('answers them 400 in our shape over the network (fast path first) and in the app', async () => {
    // The fast path only sees the packument once it is cached; make it cached for the scoped name.
    await r.inject({ method: 'GET', url: '/@scope%2fname' });
    for (const url of BAD) {
      for (const method of ['GET', 'PUT']) {
        const res = await rawRequest(r.url, { head: requestHead(method, url, ['Connection: close']) });
        expect([method, url, res.status, JSON.parse(res.body)]).toEqual([
          method,
          url,
          400,
          expect.objectContaining({ code: 'BadRequest' }),
        ]);
        expect(Object.keys(JSON.parse(res.body) as object)).toEqual(['error', 'message', 'code']);
        const injected = await r.inject({ method: method as 'GET' | 'PUT', url });
        expect([injected.statusCode, injected.json().code]).toEqual([400, 'BadRequest']);
      }
    }
  });

  it('echoes a plain x-request-id and replaces a hostile one', async () => {
    const plain = await r.inject({ method: 'GET', url: '/-/ping', headers: { 'x-request-id': 'ci-42.build:7_x' } });
    expect(plain.headers['x-request-id']).toBe('ci-42.build:7_x');
    for (const hostile of ['a"b', 'a b', 'x'.repeat(65), 'x'.repeat(1000), 'a\tb', '<script>', '']) {
      const res = await r.inject({ method: 'GET', url: '/-/ping', headers: { 'x-request-id': hostile } });
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    }
  });
});
