import { createHash } from 'node:crypto';
import { mkdtempSync, existsSync, mkdirSync, writeFileSync, utimesSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FsBlobStore } from '../../src/storage/blobs/fs/store.js';

describe('content-addressed blobs on disk', () => {
  const roots: string[] = [];
  const store = () => {
    const root = mkdtempSync(join(tmpdir(), 'gatehouse-blobs-'));
    roots.push(root);
    return { root, blobs: new FsBlobStore(root) };
  };
  afterEach(() => roots.splice(0).forEach((root) => rmSync(root, { recursive: true, force: true })));

  it('stores bytes under their sha512, leaves no temporary file, and reads them back', async () => {
    const { root, blobs } = store();
    const bytes = Buffer.from('package bytes');
    const address = await blobs.put(bytes);
    expect(address).toBe(createHash('sha512').update(bytes).digest('hex'));
    expect(await blobs.put(bytes)).toBe(address);
    const opened = await blobs.open(address);
    const chunks: Buffer[] = [];
    for await (const chunk of opened!.stream) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
    const files = readdirSync(root, { recursive: true }).map(String);
    expect(files.some((f) => f.endsWith('.tmp'))).toBe(false);
  });

  it('sweeps temporary files a crash left behind, but not ones young enough to be in progress', async () => {
    const { root, blobs } = store();
    mkdirSync(join(root, 'ab', 'cd'), { recursive: true });
    const stale = join(root, 'ab', 'cd', 'abcd.1.tmp');
    const fresh = join(root, 'ab', 'cd', 'abcd.2.tmp');
    writeFileSync(stale, 'half a tarball');
    writeFileSync(fresh, 'a write in progress');
    const twoHoursAgo = (Date.now() - 2 * 3600_000) / 1000;
    utimesSync(stale, twoHoursAgo, twoHoursAgo);
    const kept = await blobs.put(Buffer.from('a real blob'));
    expect(await blobs.sweepTemporary(3600_000)).toBe(1);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
    expect(await blobs.has(kept)).toBe(true);
  });
});
