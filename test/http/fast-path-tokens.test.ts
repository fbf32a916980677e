// The fast path remembers, per keep-alive connection, the hash of the last bearer token it saw.
// What a client observes must not change: on one connection, a token revoked between two reads is
// refused on the second, and a different token sent on the same connection is judged as itself.
import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { tokenContext } from '../support/context.js';
import { packageBuilder } from '../fixtures/package-builder.js';
import { generateToken } from '../../src/domain/tokens/format.js';

interface Answer {
  status: number | undefined;
  code: string | undefined;
  /** The request went out on a connection an earlier request had used. */
  reused: boolean;
}

/** A GET on the agent's one connection, with `token` as the bearer. */
function get(agent: Agent, url: string, token: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const code = res.statusCode === 200 ? undefined : (JSON.parse(body) as { code?: string }).code;
        resolve({ status: res.statusCode, code, reused: req.reusedSocket });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

for (const engine of ENGINES) {
  describe(`tokens on one keep-alive connection (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    let bob: TestUser;
    let agent: Agent;
    const url = () => `${r.url}/conn-pkg`;

    beforeAll(async () => {
      r = await startRegistry(engine, { listen: true });
      alice = await r.createUser('alice');
      bob = await r.createUser('bob');
      const pkg = packageBuilder('conn-pkg', '1.0.0').file('index.js', 'module.exports = 1;\n');
      expect((await r.publish(alice, pkg)).statusCode).toBe(201);
      agent = new Agent({ keepAlive: true, maxSockets: 1 });
    });
    afterAll(async () => {
      agent.destroy();
      await r.close();
    });

    it('refuses a token revoked between two reads on the same connection', async () => {
      // Twice first: the second read is answered from memory, by the fast path.
      expect((await get(agent, url(), alice.token)).status).toBe(200);
      expect(await get(agent, url(), alice.token)).toEqual({ status: 200, code: undefined, reused: true });
      const context = tokenContext(await r.registry.tokens.authenticate(alice.token));
      expect(await r.registry.tokens.revokeBySecret(context, alice.token)).toBe(true);
      expect(await get(agent, url(), alice.token)).toEqual({ status: 401, code: 'Unauthenticated', reused: true });
    });

    it('judges each token a connection sends as itself', async () => {
      expect(await get(agent, url(), bob.token)).toEqual({ status: 200, code: undefined, reused: true });
      expect(await get(agent, url(), generateToken())).toEqual({ status: 401, code: 'Unauthenticated', reused: true });
      expect(await get(agent, url(), bob.token)).toEqual({ status: 200, code: undefined, reused: true });
    });
  });
}
