// The fast path and the framework path give the same answer to every read, byte for byte, headers
// included; If-None-Match follows RFC 9110 (lists, weak tags, `*`) on both, and a malformed one
// is answered as if absent.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { until } from '../support/wait.js';
import { packageBuilder } from '../fixtures/package-builder.js';
import { parseIfNoneMatch } from '../../src/http/reads/if-none-match.js';

const CORGI = 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*';
// What differs between two answers of the same content by design: the clock, the framework's
// request id (the fast path sends none), and the client's own connection choice.
const IGNORED = new Set(['date', 'x-request-id', 'connection', 'keep-alive']);

interface Wire {
  status: string;
  head: string[];
  body: Buffer;
  requestId: boolean;
}

/** One request on its own connection; the answer as it came off the socket. */
function wire(url: string, method: string, path: string, headers: string[]): Promise<Wire> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const raw = Buffer.concat(chunks);
      const end = raw.indexOf('\r\n\r\n');
      const [status, ...lines] = raw.subarray(0, end).toString('latin1').split('\r\n');
      const name = (line: string) => line.slice(0, line.indexOf(':')).toLowerCase();
      resolve({
        status: status!,
        head: lines.filter((l) => !IGNORED.has(name(l))),
        body: raw.subarray(end + 4),
        requestId: lines.some((l) => name(l) === 'x-request-id'),
      });
    });
    // write, not end: a half-closed client makes Node abort a request still waiting on the database.
    socket.write([`${method} ${path} HTTP/1.1`, 'Host: registry.test', ...headers, 'Connection: close', '', ''].join('\r\n'));
  });
}

for (const engine of ENGINES) {
  describe(`read answers (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    beforeAll(async () => {
      r = await startRegistry(engine, { listen: true });
      alice = await r.createUser('alice');
      // One set per case group, so no tarball's bytes are in memory before its first read.
      for (const who of ['anon', 'token']) {
        for (const version of ['1.0.0', '1.1.0']) {
          const pkg = packageBuilder(`@acme/same-${who}`, version).file('index.js', `module.exports = '${version}';\n`);
          expect((await r.publish(alice, pkg)).statusCode).toBe(201);
        }
        expect((await r.publish(alice, packageBuilder(`plain-same-${who}`, '1.0.0'))).statusCode).toBe(201);
      }
    });
    afterAll(() => r.close());

    /** The first read (the framework's, nothing cached) and the cached one, which must be the fast path's. */
    async function firstAndCached(method: string, path: string, headers: string[], name: string) {
      r.registry.packages.packuments.invalidate(name);
      // The fast path answers a tarball only once its package's packument is cached, as after
      // npm's packument read; this read leaves the tarball's own first read to the framework.
      if (path.includes('/-/')) await r.inject({ method: 'GET', url: `/${name.replace('/', '%2f')}` });
      const first = await wire(r.url, method, path, headers);
      expect(first.requestId).toBe(true);
      // A tarball's bytes reach memory in the background after its first read.
      let cached = first;
      await until(`the fast path answers ${method} ${path}`, async () => {
        cached = await wire(r.url, method, path, headers);
        return !cached.requestId;
      });
      return { first, cached };
    }

    const tarballTag = async (name: string, version: string) => {
      const doc = (await r.inject({ method: 'GET', url: `/${name.replace('/', '%2f')}` })).json();
      return `"${Buffer.from(doc.versions[version].dist.integrity.slice(7), 'base64').toString('hex').slice(0, 32)}"`;
    };
    const etagOf = (w: Wire) =>
      w.head
        .find((l) => l.toLowerCase().startsWith('etag:'))!
        .slice(5)
        .trim();

    for (const withToken of [false, true]) {
      const auth = () => (withToken ? [`Authorization: Bearer ${alice.token}`] : []);
      const who = withToken ? 'with a token' : 'anonymous';
      const set = withToken ? 'token' : 'anon';
      const scoped = `@acme/same-${set}`;
      const plain = `plain-same-${set}`;
      const esc = `/@acme%2fsame-${set}`;
      const reads: [string, string, string, string[], string, string][] = [
        ['full packument', 'GET', esc, ['Accept: application/json'], scoped, '200'],
        ['abbreviated packument', 'GET', esc, [`Accept: ${CORGI}`], scoped, '200'],
        ['packument, raw scoped path', 'GET', `/${scoped}`, [], scoped, '200'],
        ['unscoped packument HEAD', 'HEAD', `/${plain}`, [], plain, '200'],
        ['version document', 'GET', `${esc}/1.0.0`, [], scoped, '200'],
        ['version document by dist-tag', 'GET', `/${plain}/latest`, [], plain, '200'],
        ['tarball', 'GET', `/${scoped}/-/same-${set}-1.1.0.tgz`, [], scoped, '200'],
        ['tarball HEAD', 'HEAD', `/${plain}/-/${plain}-1.0.0.tgz`, [], plain, '200'],
        ['404 of a missing package', 'GET', '/no-such-package', [], 'no-such-package', '404'],
        ['404 of a missing package version', 'GET', '/@acme%2fnothing/1.0.0', [], '@acme/nothing', '404'],
      ];
      for (const [kind, method, path, headers, name, status] of reads) {
        it(`${kind}, ${who}: the cached answer is the first one, byte for byte`, async () => {
          const { first, cached } = await firstAndCached(method, path, [...headers, ...auth()], name);
          expect(first.status).toBe(`HTTP/1.1 ${status} ${status === '200' ? 'OK' : 'Not Found'}`);
          expect(cached.status).toBe(first.status);
          expect(cached.head).toEqual(first.head);
          expect(cached.body.equals(first.body)).toBe(true);
          if (method === 'HEAD') expect(first.body.length).toBe(0);
        });
      }

      const validated: [string, string][] = [
        ['packument', esc],
        ['version document', `${esc}/1.1.0`],
        ['tarball', `/${scoped}/-/same-${set}-1.0.0.tgz`],
      ];
      for (const [kind, path] of validated) {
        it(`304 for a ${kind}, ${who}: a weak tag in a list matches, the same on both paths`, async () => {
          // Its tag from the cached packument or version, not a read that would load the tarball's bytes.
          const etag = kind === 'tarball' ? await tarballTag(scoped, '1.0.0') : etagOf(await wire(r.url, 'GET', path, auth()));
          const inm = `If-None-Match: "nope", W/${etag}`;
          const { first, cached } = await firstAndCached('GET', path, [inm, ...auth()], scoped);
          expect(first.status).toBe('HTTP/1.1 304 Not Modified');
          expect(cached.status).toBe(first.status);
          expect(cached.head).toEqual(first.head);
          expect(cached.head.some((l) => l.toLowerCase().startsWith('content-length'))).toBe(false);
          expect(first.body.length + cached.body.length).toBe(0);
        });
      }
    }

    for (const [header, status] of [
      ['*', '304'],
      ['"a", "b" ,, W/"c"', '200'],
      ['W/', '200'],
      ['"unterminated', '200'],
      ['no-quotes', '200'],
      ['"ok", garbage', '200'],
      ['\u00ff\u00fe', '200'],
    ]) {
      it(`If-None-Match: ${JSON.stringify(header)} answers ${status} on both paths`, async () => {
        const { first, cached } = await firstAndCached(
          'GET',
          '/@acme%2fsame-anon',
          [`If-None-Match: ${header}`],
          '@acme/same-anon',
        );
        expect(first.status.split(' ')[1]).toBe(status);
        expect(cached.status).toBe(first.status);
        expect(cached.head).toEqual(first.head);
      });
    }

    it('a version by range is its highest match, the same bytes every time; an unknown one is 404 VersionNotFound', async () => {
      const [first, again] = [
        await wire(r.url, 'GET', '/@acme%2fsame-anon/^1.0.0', []),
        await wire(r.url, 'GET', '/@acme%2fsame-anon/^1.0.0', []),
      ];
      expect(first.status).toBe('HTTP/1.1 200 OK');
      expect(JSON.parse(first.body.toString()).version).toBe('1.1.0');
      expect(again.head).toEqual(first.head);
      expect(again.body.equals(first.body)).toBe(true);
      for (const spec of ['9.9.9', '^7', 'no-such-tag', '%3E9']) {
        const missing = await wire(r.url, 'GET', `/@acme%2fsame-anon/${spec}`, []);
        expect(missing.status, spec).toBe('HTTP/1.1 404 Not Found');
        expect(JSON.parse(missing.body.toString()).code).toBe('VersionNotFound');
      }
    });

    it('If-None-Match: * on a missing package is still a 404', async () => {
      const { first, cached } = await firstAndCached('GET', '/no-such-thing', ['If-None-Match: *'], 'no-such-thing');
      expect(first.status.split(' ')[1]).toBe('404');
      expect(cached.status).toBe(first.status);
    });
  });
}

describe('parseIfNoneMatch', () => {
  it('reads lists, weak tags, empty elements and *', () => {
    expect(parseIfNoneMatch('"a"')).toEqual(['"a"']);
    expect(parseIfNoneMatch(' W/"a" , "b",,"c,d" ')).toEqual(['"a"', '"b"', '"c,d"']);
    expect(parseIfNoneMatch('*')).toBe('*');
    expect(parseIfNoneMatch(' * ')).toBe('*');
  });

  it('refuses what is not an entity-tag list', () => {
    for (const bad of ['', ',', 'a', '"a" "b"', 'w/"a"', '"a"x', '*, "a"', '"\u0001"']) {
      expect(parseIfNoneMatch(bad)).toBeUndefined();
    }
  });
});
