// A real `gatehouse serve` (the compiled CLI) logs every refused login, legacy or web, with the
// account that was tried and the client's address, and never the password. Build dist/ first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, freshDatabase, type TestDatabase } from '../support/engines.js';
import { assertBuilt, createUserByCli, startServer, type ServerProcess } from '../reliability/server-process.js';

const PASSWORD = 'log-test-correct-horse';
const GUESS = 'guess-Zq8-never-logged';

interface LogLine {
  msg?: string;
  account?: string;
  ip?: string;
  method?: string;
  code?: string;
}

for (const engine of ENGINES) {
  describe(`failed logins in the server log (${engine})`, () => {
    let db: TestDatabase;
    let server: ServerProcess;

    beforeAll(async () => {
      assertBuilt();
      db = await freshDatabase(engine);
      await createUserByCli(db.config, 'alice', PASSWORD);
      server = await startServer(db.config, { logLevel: 'info' });
    });
    afterAll(async () => {
      if (server && server.child.exitCode === null && server.child.signalCode === null) await server.kill('SIGTERM');
      await db?.dispose();
    });

    async function failureLine(method: string): Promise<LogLine> {
      await server.waitForOutput(`"method":"${method}"`);
      const lines = server
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as LogLine);
      const line = lines.find((l) => l.msg === 'login failed' && l.method === method);
      expect(line, server.output()).toBeDefined();
      return line!;
    }

    it('logs a wrong legacy password with the account and the address, not the password', async () => {
      const res = await fetch(`${server.url}/-/user/org.couchdb.user:alice`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'alice', password: GUESS }),
      });
      expect(res.status).toBe(401);
      expect(await failureLine('password')).toMatchObject({ account: 'alice', ip: '127.0.0.1', code: 'BadCredentials' });
      expect(server.output()).not.toContain(GUESS);
    });

    it('logs a wrong password on the web sign-in page the same way', async () => {
      const started = await fetch(`${server.url}/-/v1/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      const { loginUrl } = (await started.json()) as { loginUrl: string };
      const res = await fetch(loginUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `username=mallory&password=${GUESS}`,
      });
      expect(res.status).toBe(401);
      expect(await failureLine('web')).toMatchObject({ account: 'mallory', ip: '127.0.0.1', code: 'BadCredentials' });
      expect(server.output()).not.toContain(GUESS);
    });
  });
}
