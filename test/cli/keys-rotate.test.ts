// `gatehouse keys rotate` (the compiled CLI) against a running registry's database: the server's
// next publish is signed by the new key, and the old key stays listed with an expiry so the
// signature it made still holds. The command prints key ids and never a private key. Build dist/ first.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry } from '../support/registry.js';
import { assertBuilt, CLI } from '../reliability/server-process.js';
import { packageBuilder } from '../fixtures/package-builder.js';
import type { Config } from '../../src/config.js';

function rotateByCli(config: Config): Promise<{ code: number | null; out: string }> {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('GATEHOUSE_')) env[key] = value;
  if (config.databaseUrl) env.GATEHOUSE_DATABASE_URL = config.databaseUrl;
  const child = spawn(process.execPath, [CLI, 'keys', 'rotate', '--data-dir', config.dataDir], { env });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out })));
}

interface ListedKey {
  keyid: string;
  expires: string | null;
}

for (const engine of ENGINES) {
  describe(`gatehouse keys rotate (${engine})`, () => {
    it('makes the running server sign with a new key and keeps the old one listed with an expiry', async () => {
      assertBuilt();
      const r = await startRegistry(engine);
      try {
        const alice = await r.createUser('alice');
        expect((await r.publish(alice, packageBuilder('rotated', '1.0.0'))).statusCode).toBe(201);
        const keys = async () => (await r.inject({ method: 'GET', url: '/-/npm/v1/keys' })).json().keys as ListedKey[];
        const [old] = await keys();

        const rotated = await rotateByCli(r.registry.config);
        expect(rotated.code, rotated.out).toBe(0);
        const fresh = /New signing key (SHA256:\S+)/.exec(rotated.out)?.[1];
        expect(fresh).toMatch(/^SHA256:/);
        expect(rotated.out).toContain(`Retired ${old!.keyid}`);
        expect(rotated.out).not.toMatch(/PRIVATE|MIG[A-Za-z0-9+/]{60}/);

        expect((await r.publish(alice, packageBuilder('rotated', '2.0.0'))).statusCode).toBe(201);
        const doc = (await r.inject({ method: 'GET', url: '/rotated' })).json();
        expect(doc.versions['1.0.0'].dist.signatures[0].keyid).toBe(old!.keyid);
        expect(doc.versions['2.0.0'].dist.signatures[0].keyid).toBe(fresh);
        const listed = await keys();
        const retired = listed.find((k) => k.keyid === old!.keyid)!;
        expect(listed.find((k) => k.keyid === fresh)?.expires).toBeNull();
        expect(Date.parse(retired.expires!)).toBeGreaterThan(Date.parse(doc.time['1.0.0']));
      } finally {
        await r.close();
      }
    });
  });
}
