// Secret-scanning reports as GitHub's partner program sends them: signed JSON lists of found
// tokens, checked against the key list served by a local key server (GitHub's
// /meta/public_keys/secret_scanning shape). Valid tokens are revoked at once and their owners
// mailed; anything unsigned, signed by an unknown key or malformed changes nothing.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { readOutbox } from '../domain/mail/outbox-files.js';

const KEY_ID = 'bcb53661c06b4728e59d897fb6165d5c9cda0fd9cdf9d09ead458168deb7518c';

function keyPair(): { pem: string; privateKey: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { pem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), privateKey };
}

for (const engine of ENGINES) {
  describe(`secret-scanning reports (${engine})`, () => {
    let r: TestRegistry;
    let keyServer: Server;
    let keyFetches = 0;
    const github = keyPair();
    const stranger = keyPair();

    beforeAll(async () => {
      keyServer = createServer((_req, res) => {
        keyFetches += 1;
        const list = { public_keys: [{ key_identifier: KEY_ID, key: github.pem, is_current: true }] };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(list));
      });
      await new Promise<void>((resolve) => keyServer.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(keyServer.address() as AddressInfo).port}/meta/public_keys/secret_scanning`;
      r = await startRegistry(engine, { config: { secretScanningKeysUrl: url } });
    });
    afterAll(async () => {
      await r.close();
      await new Promise((resolve) => keyServer.close(resolve));
    });

    function post(body: string, headers: Record<string, string | undefined>) {
      const present = Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined)) as Record<string, string>;
      return r.inject({
        method: 'POST',
        url: '/-/secret-scanning/github',
        headers: { 'content-type': 'application/json', ...present },
        payload: body,
      });
    }
    const signed = (body: string, key = github.privateKey, keyId = KEY_ID) =>
      post(body, {
        'github-public-key-identifier': keyId,
        'github-public-key-signature': sign('sha256', Buffer.from(body), key).toString('base64'),
      });
    const report = (...tokens: string[]) =>
      JSON.stringify(
        tokens.map((token) => ({
          token,
          type: 'gatehouse_token',
          url: 'https://github.com/acme/app/blob/main/.npmrc',
          source: 'content',
        })),
      );
    const works = async (user: TestUser) =>
      (await r.inject({ method: 'GET', url: '/-/whoami', headers: { authorization: `Bearer ${user.token}` } })).statusCode ===
      200;
    const eventCount = async () => (await r.registry.store.events.since(0, 10_000)).length;

    it('revokes every valid reported token at once, labels each entry, records it and mails the owner', async () => {
      const alice = await r.createUser('alice');
      const bob = await r.createUser('bob');
      const res = await signed(report(alice.token, bob.token, 'gth_notarealtoken', 'ghp_someoneelse'));
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toEqual([
        { token_raw: alice.token, token_type: 'gatehouse_token', label: 'true_positive' },
        { token_raw: bob.token, token_type: 'gatehouse_token', label: 'true_positive' },
        { token_raw: 'gth_notarealtoken', token_type: 'gatehouse_token', label: 'false_positive' },
        { token_raw: 'ghp_someoneelse', token_type: 'gatehouse_token', label: 'false_positive' },
      ]);
      expect(await works(alice)).toBe(false);
      expect(await works(bob)).toBe(false);
      const events = await r.registry.store.events.since(0, 10_000);
      const leaked = events.filter((e) => e.type === 'token.leaked');
      expect(leaked.map((e) => e.actor)).toEqual([
        { kind: 'user', userId: alice.user.id },
        { kind: 'user', userId: bob.user.id },
      ]);
      expect(events.filter((e) => e.type === 'token.revoked')).toHaveLength(2);
      // The events name the token by its display prefix only.
      expect(JSON.stringify(events)).not.toContain(alice.token);
      await r.registry.mail.deliver();
      const mails = (await readOutbox(r.registry.config.dataDir)).filter((m) => /found in public/.test(m.subject));
      expect(mails.map((m) => m.to).sort()).toEqual(['alice@example.com', 'bob@example.com']);
      expect(mails.some((m) => m.text.includes(alice.token))).toBe(false);
    });

    it('labels a token already revoked, or unknown, false_positive and changes nothing', async () => {
      const carol = await r.createUser('carol');
      expect((await signed(report(carol.token))).json()[0].label).toBe('true_positive');
      const before = await eventCount();
      const again = await signed(report(carol.token));
      expect(again.json()).toEqual([{ token_raw: carol.token, token_type: 'gatehouse_token', label: 'false_positive' }]);
      const unknown = 'gth_' + 'A'.repeat(36);
      expect((await signed(report(unknown))).json()[0].label).toBe('false_positive');
      expect(await eventCount()).toBe(before);
    });

    it('refuses a bad signature, a missing one, or one by another key, and revokes nothing', async () => {
      const dave = await r.createUser('dave');
      const body = report(dave.token);
      const before = await eventCount();
      const forged = await signed(body, stranger.privateKey);
      expect(forged.statusCode).toBe(403);
      expect(forged.json().code).toBe('ReportSignatureInvalid');
      const otherBody = await post(body, {
        'github-public-key-identifier': KEY_ID,
        'github-public-key-signature': sign('sha256', Buffer.from(report('gth_x')), github.privateKey).toString('base64'),
      });
      expect(otherBody.json().code).toBe('ReportSignatureInvalid');
      const garbage = await post(body, { 'github-public-key-identifier': KEY_ID, 'github-public-key-signature': 'bm90IGEgc2ln' });
      expect(garbage.json().code).toBe('ReportSignatureInvalid');
      const unsigned = await post(body, {});
      expect(unsigned.statusCode).toBe(403);
      expect(unsigned.json().code).toBe('ReportSignatureInvalid');
      const fetchesBefore = keyFetches;
      const unknownKey = await signed(body, stranger.privateKey, 'f'.repeat(64));
      expect(unknownKey.statusCode).toBe(403);
      expect(unknownKey.json().code).toBe('ReportKeyUnknown');
      // An unseen key id may mean GitHub rotated: one fetch, then not again within the minute.
      expect(keyFetches - fetchesBefore).toBeLessThanOrEqual(1);
      await signed(body, stranger.privateKey, 'e'.repeat(64));
      expect(keyFetches - fetchesBefore).toBeLessThanOrEqual(1);
      expect(await works(dave)).toBe(true);
      expect(await eventCount()).toBe(before);
    });

    it('refuses malformed bodies even when signed, and revokes nothing', async () => {
      const erin = await r.createUser('erin');
      const before = await eventCount();
      for (const body of [
        'not json',
        JSON.stringify({ token: erin.token }),
        JSON.stringify([{ token: 42, type: 'x' }]),
        JSON.stringify([{ token: erin.token, type: 'gatehouse_token' }, 'junk']),
        JSON.stringify(Array.from({ length: 1001 }, () => ({ token: erin.token, type: 't' }))),
      ]) {
        const res = await signed(body);
        expect(res.statusCode, body.slice(0, 40)).toBe(400);
        expect(res.json().code).toBe('ReportMalformed');
      }
      expect(await works(erin)).toBe(true);
      expect(await eventCount()).toBe(before);
    });
  });
}

describe('secret-scanning reports without a key list', () => {
  it('are refused: nothing can be verified', async () => {
    const r = await startRegistry(ENGINES[0]!);
    try {
      const res = await r.inject({
        method: 'POST',
        url: '/-/secret-scanning/github',
        payload: '[]',
        headers: { 'content-type': 'application/json' },
      });
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('SecretScanningOff');
    } finally {
      await r.close();
    }
  });
});
