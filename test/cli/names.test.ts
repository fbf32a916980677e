// `gatehouse names …` (the compiled CLI) against a registry's database: an operator allows a
// look-alike name for one user, who can then publish it; `names check` says what a name resembles;
// a bad name is refused with a non-zero exit and changes nothing. Build dist/ first.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry } from '../support/registry.js';
import { assertBuilt, CLI } from '../reliability/server-process.js';
import { packageBuilder } from '../fixtures/package-builder.js';
import type { Config } from '../../src/config.js';

function namesByCli(config: Config, args: string[]): Promise<{ code: number | null; out: string }> {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('GATEHOUSE_')) env[key] = value;
  if (config.databaseUrl) env.GATEHOUSE_DATABASE_URL = config.databaseUrl;
  const child = spawn(process.execPath, [CLI, 'names', ...args, '--data-dir', config.dataDir], { env });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out })));
}

for (const engine of ENGINES) {
  describe(`gatehouse names (${engine})`, () => {
    it('allows a look-alike for one user, checks names, and refuses a bad name changing nothing', async () => {
      assertBuilt();
      const r = await startRegistry(engine);
      try {
        const alice = await r.createUser('alice');
        const bob = await r.createUser('bob');
        expect((await r.publish(alice, packageBuilder('lodahs', '1.0.0'))).json().code).toBe('NameTooSimilar');

        const check = await namesByCli(r.registry.config, ['check', 'expresss']);
        expect(check.code, check.out).toBe(0);
        expect(check.out).toContain('expresss resembles express');

        const allowed = await namesByCli(r.registry.config, ['allow', 'lodahs', '--user', 'alice', '--note', 'ticket 12']);
        expect(allowed.code, allowed.out).toBe(0);
        expect(allowed.out).toContain('Allowed lodahs for alice.');
        expect((await namesByCli(r.registry.config, ['list'])).out).toContain('lodahs\tticket 12');
        expect((await r.publish(bob, packageBuilder('lodahs', '1.0.0'))).json().code).toBe('NameTooSimilar');
        expect((await r.publish(alice, packageBuilder('lodahs', '1.0.0'))).statusCode).toBe(201);

        const before = await r.registry.store.events.latestSeq();
        const bad = await namesByCli(r.registry.config, ['allow', 'Not A Name']);
        expect(bad.code).not.toBe(0);
        expect(bad.out).toContain('not a valid package name');
        expect(await r.registry.store.events.latestSeq()).toBe(before);
      } finally {
        await r.close();
      }
    });
  });
}
