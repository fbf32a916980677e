// The access log at its most talkative (debug and trace) never holds a secret: not a token from
// a logout URL in any escaping, not the web-login done secret or login id, not a bearer header,
// and not a hostile client-chosen request id.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { ENGINES, freshDatabase, type TestDatabase } from '../support/engines.js';
import { openRegistry, type OpenedRegistry } from '../../src/registry.js';
import { buildApp } from '../../src/http/app.js';
import { codeOf, rawRequest } from './raw-http.js';

/** Percent-encodes the first `n` characters, as a client (or an attacker probing the log) might. */
const encodeHead = (s: string, n: number) =>
  [...s.slice(0, n)].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('') + s.slice(n);
/** Every variant keeps this much of the secret verbatim: none of it may reach the log. */
const tail = (secret: string) => secret.slice(-16);

for (const engine of ENGINES) {
  for (const level of ['debug', 'trace']) {
    describe(`secrets stay out of the ${level} log (${engine})`, () => {
      let database: TestDatabase;
      let registry: OpenedRegistry;
      let app: FastifyInstance;
      const lines: string[] = [];
      let session: string;
      beforeAll(async () => {
        database = await freshDatabase(engine, { logLevel: level });
        registry = await openRegistry(database.config);
        app = await buildApp(registry, { logStream: { write: (line) => void lines.push(line) } });
        registry.setBaseUrl('http://registry.test');
        const user = await registry.accounts.createUser({
          name: 'alice',
          email: 'alice@example.com',
          password: 'pw-alice-correct-horse',
          isAdmin: false,
        });
        session = await registry.store.transaction(
          async (tx) => (await registry.tokens.create(tx, user, { reason: 'test' })).secret,
        );
      });
      afterAll(async () => {
        await app.close();
        await registry.close();
        await database.dispose();
      });

      const logged = async (req: InjectOptions) => {
        const before = lines.length;
        const res = await app.inject(req);
        return { res, log: lines.slice(before).join('') };
      };

      it('never logs a logout token, however the path escapes it', async () => {
        const secrets: string[] = [];
        for (let i = 0; i < 5; i++) {
          const user = (await registry.store.users.byName('alice'))!;
          secrets.push(
            await registry.store.transaction(async (tx) => (await registry.tokens.create(tx, user, { reason: 'test' })).secret),
          );
        }
        const urls = [
          `/-/user/token/${secrets[0]}`,
          `/-/user/%74oken/${secrets[1]}`,
          `/-/user/token/${encodeHead(secrets[2]!, 6)}`,
          `/-/user/%74%6f%6b%65%6e/${encodeURIComponent(secrets[3]!)}?x=1`,
          `/-/user/token/${secrets[4]}`,
        ];
        for (const [i, url] of urls.entries()) {
          // The last one anonymously: refused before the handler, still not logged.
          const headers = i === 4 ? {} : { authorization: `Bearer ${session}` };
          const { res, log } = await logged({ method: 'DELETE', url, headers });
          expect([url, res.statusCode]).toEqual([url, i === 4 ? 401 : 200]);
          expect(log).toContain('/-/user/token/[redacted]');
          expect(log).not.toContain(tail(secrets[i]!));
          expect(log).not.toContain(tail(session));
        }
      });

      it('never logs a token sent to an address that does not expect one', async () => {
        for (const [method, path] of [
          ['GET', '/-/user/token/'],
          ['DELETE', '/-/user//token/'],
          ['GET', '/some-package?token='],
        ] as const) {
          const { res, log } = await logged({
            method,
            url: `${path}${session}`,
            headers: { authorization: `Bearer ${session}` },
          });
          expect(res.statusCode).toBeGreaterThanOrEqual(400);
          expect(log).toContain('[redacted: the address holds a token]');
          expect(log).not.toContain(tail(session));
        }
      });

      it('never logs the web-login done secret or the login id', async () => {
        const start = await app.inject({ method: 'POST', url: '/-/v1/login', payload: {} });
        const { loginUrl, doneUrl } = start.json() as { loginUrl: string; doneUrl: string };
        const id = loginUrl.split('/').pop()!;
        const secret = doneUrl.split('/').pop()!;
        const requests: InjectOptions[] = [
          { method: 'GET', url: `/-/v1/done/${secret}` },
          { method: 'GET', url: `/-/v1/done/${encodeHead(secret, 3)}` },
          { method: 'GET', url: `/login/cli/${id}` },
          { method: 'GET', url: `/login/cli/${encodeHead(id, 2)}` },
          {
            method: 'POST',
            url: `/login/cli/${id}`,
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            payload: 'username=alice&password=pw-alice-correct-horse',
          },
          { method: 'GET', url: `/-/v1/done/${secret}` },
        ];
        for (const req of requests) {
          const { res, log } = await logged(req);
          // Signing in on the page answers 303 back to it (then the page asks for approval).
          expect(res.statusCode).toBeLessThan(400);
          expect(log).toMatch(/\/-\/v1\/done\/\[redacted\]|\/login\/cli\/\[redacted\]/);
          expect(log).not.toContain(tail(secret));
          expect(log).not.toContain(tail(id));
          expect(log).not.toContain('pw-alice-correct-horse');
        }
      });

      it('never logs the raw bytes of a request the HTTP parser refused', async () => {
        await app.listen({ host: '127.0.0.1', port: 0 });
        const address = app.server.address();
        const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
        const before = lines.length;
        // A header line with no colon after the token: Node's parser fails with the packet in hand.
        const res = await rawRequest(url, { head: `PUT /x HTTP/1.1\nHost: a\nAuthorization: Bearer ${session}\nbroken header` });
        expect([res.status, codeOf(res)]).toEqual([400, 'BadRequest']);
        expect(lines.slice(before).join('')).not.toContain(tail(session));
      });

      it('never logs a hostile request id, only the one it generates', async () => {
        for (const hostile of ['evil"},{"injected":"1', 'x'.repeat(1000), 'id with spaces', 'a\tb']) {
          const { res, log } = await logged({ method: 'GET', url: '/-/ping', headers: { 'x-request-id': hostile } });
          expect(res.headers['x-request-id']).not.toBe(hostile);
          expect(log).toContain(res.headers['x-request-id'] as string);
          expect(log).not.toContain(hostile.slice(0, 200));
        }
      });
    });
  }
}
