// `gatehouse scan known-bad import FILE` (the compiled CLI) against a running registry's database:
// the digests it adds refuse the next publish of a tarball holding such a file; re-running adds
// nothing twice; a malformed list imports nothing. Build dist/ first.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry } from '../support/registry.js';
import { assertBuilt, CLI } from '../reliability/server-process.js';
import { packageBuilder } from '../fixtures/package-builder.js';
import type { Config } from '../../src/config.js';

function importByCli(config: Config, file: string): Promise<{ code: number | null; out: string }> {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('GATEHOUSE_')) env[key] = value;
  if (config.databaseUrl) env.GATEHOUSE_DATABASE_URL = config.databaseUrl;
  const child = spawn(process.execPath, [CLI, 'scan', 'known-bad', 'import', file, '--data-dir', config.dataDir], { env });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out })));
}

const PAYLOAD = "module.exports = 'a payload an advisory named';\n";

for (const engine of ENGINES) {
  describe(`gatehouse scan known-bad import (${engine})`, () => {
    it('adds digests once, and the server refuses a tarball holding a listed file', async () => {
      assertBuilt();
      const r = await startRegistry(engine);
      const folder = mkdtempSync(join(tmpdir(), 'gatehouse-known-bad-'));
      try {
        const alice = await r.createUser('alice');
        const bad = join(folder, 'bad.txt');
        writeFileSync(bad, `${'0'.repeat(64)} fine\nnot-a-digest here\n`);
        const refused = await importByCli(r.registry.config, bad);
        expect(refused.code).toBe(1);
        expect(refused.out).toMatch(/Line 2/);

        const list = join(folder, 'known-bad.txt');
        const sha256 = createHash('sha256').update(PAYLOAD).digest('hex');
        const sha512 = `sha512-${createHash('sha512').update('another').digest('base64')}`;
        writeFileSync(list, `# known-bad feed\n${sha256} MAL-2026-0042 dropper\n\n${sha512}\n`);
        const first = await importByCli(r.registry.config, list);
        expect(first.code, first.out).toBe(0);
        expect(first.out).toContain('2 digests read, 2 new');
        expect((await importByCli(r.registry.config, list)).out).toContain('2 digests read, 0 new, 2 already listed');

        const res = await r.publish(alice, packageBuilder('carrier', '1.0.0').file('lib/x.js', PAYLOAD));
        expect(res.statusCode).toBe(403);
        expect(res.json<{ code: string; error: string }>().code).toBe('PublishBlockedByScan');
        expect(res.json<{ error: string }>().error).toMatch(/known-bad-file.*MAL-2026-0042.*lib\/x\.js/);
      } finally {
        await r.close();
      }
    });
  });
}
