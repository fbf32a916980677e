// A large PUT /<name> is decided before its body is read: a signed-in client that may not publish
// there (read-only token, not a maintainer, someone else's scope) is answered at once and the
// connection closed, so we never receive, decode or hash its 50 MB. Maintainers' and
// administrators' whole-document write-backs (npm deprecate) may still be that large.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { bearer, packument } from '../support/npm-protocol.js';
import { packageBuilder } from '../fixtures/package-builder.js';
import { codeOf, rawRequest, requestHead } from './raw-http.js';

const FIFTY_MB = 50 * 1024 * 1024;
const DOCUMENT_LIMIT = 64 * 1024;

/** A publish announcing 50 MB, of which 4 KB are sent. */
function bigPublish(path: string, token: string) {
  const head = requestHead('PUT', path, [
    'Content-Type: application/json',
    `Content-Length: ${FIFTY_MB}`,
    `Authorization: Bearer ${token}`,
  ]);
  return { head, body: Buffer.alloc(4096, 0x20) };
}

for (const engine of ENGINES) {
  describe(`a large publish is authorized before its body is read (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    let bob: TestUser;
    let reader: TestUser;
    let admin: TestUser;
    beforeAll(async () => {
      r = await startRegistry(engine, { listen: true, config: { maxDocumentBytes: DOCUMENT_LIMIT } });
      alice = await r.createUser('alice');
      bob = await r.createUser('bob');
      reader = await r.createUser('reader', { readonly: true });
      admin = await r.createUser('root', { admin: true });
      expect((await r.publish(alice, packageBuilder('alices-pkg', '1.0.0'))).statusCode).toBe(201);
      expect((await r.publish(alice, packageBuilder('@acme/core', '1.0.0'))).statusCode).toBe(201);
    });
    afterAll(() => r.close());

    const cases: [string, () => [string, string], number, string][] = [
      ['a read-only token', () => ['/new-pkg', reader.token], 403, 'TokenReadOnly'],
      ['a user who does not maintain the package', () => ['/alices-pkg', bob.token], 403, 'NotMaintainer'],
      ['a user outside the scope', () => ['/@acme%2fother', bob.token], 403, 'ScopeNotYours'],
    ];
    for (const [who, request, status, code] of cases) {
      it(`answers 50 MB from ${who} with ${code} after 4 KB and closes the connection`, async () => {
        const [path, token] = request();
        const res = await rawRequest(r.url, bigPublish(path, token));
        expect([res.status, codeOf(res), res.headers.connection, res.closed]).toEqual([status, code, 'close', true]);
      });
    }

    it('changed nothing for those refusals', async () => {
      expect(Object.keys((await packument(r, 'alices-pkg')).versions)).toEqual(['1.0.0']);
      for (const url of ['/new-pkg', '/@acme%2fother']) expect((await r.inject({ method: 'GET', url })).statusCode).toBe(404);
    });

    it('still reads a large write-back from an administrator, who may deprecate any package', async () => {
      const doc = await packument(r, 'alices-pkg', admin.token);
      doc.versions['1.0.0']!.deprecated = 'use something else';
      // Larger than maxDocumentBytes, so it is held to the check before the body.
      doc.padding = 'x'.repeat(DOCUMENT_LIMIT + 1024);
      const res = await r.inject({ method: 'PUT', url: '/alices-pkg', headers: bearer(admin.token), payload: doc });
      expect(res.statusCode).toBe(200);
      expect((await packument(r, 'alices-pkg')).versions['1.0.0']?.deprecated).toBe('use something else');
    });

    it('refuses a large body from a read-only token whatever it turns out to be, while a small star still passes', async () => {
      // npm star sends {_id, _rev, users}; nothing is kept, and any signed-in user is answered ok.
      const star = { _id: 'alices-pkg', _rev: '1-x', users: { reader: true } };
      const small = await r.inject({ method: 'PUT', url: '/alices-pkg', headers: bearer(reader.token), payload: star });
      expect(small.statusCode).toBe(200);
      const padded = { ...star, padding: 'x'.repeat(DOCUMENT_LIMIT + 1024) };
      const large = await r.inject({ method: 'PUT', url: '/alices-pkg', headers: bearer(reader.token), payload: padded });
      expect([large.statusCode, large.json().code]).toEqual([403, 'TokenReadOnly']);
    });
  });
}
