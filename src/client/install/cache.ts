// A content-addressed cache of tarballs keyed by the integrity the lockfile pins, plus the publish
// times of versions (which never change once published) for the minimum release age. An entry is
// re-verified on every read: a cache is just another disk an attacker or a crash may have changed.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { digestOf, type Digest } from './integrity.js';

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'gatehouse');
}

export class ContentCache {
  constructor(readonly dir: string) {}

  private path(digest: Digest): string {
    const hex = Buffer.from(digest.value, 'base64').toString('hex');
    return join(this.dir, 'content-v1', digest.algorithm, hex.slice(0, 2), hex.slice(2));
  }

  /** The cached bytes, only if they still have this digest (a bad entry is deleted and missed). */
  async get(digest: Digest): Promise<Buffer | undefined> {
    const file = this.path(digest);
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch {
      return undefined;
    }
    if (digestOf(bytes, digest.algorithm).value === digest.value) return bytes;
    await rm(file, { force: true });
    return undefined;
  }

  /** Stores verified bytes; a failure to write only costs the next run a download. */
  async put(digest: Digest, bytes: Buffer): Promise<void> {
    await atomicWrite(this.path(digest), bytes).catch(() => {});
  }

  private timesPath(name: string): string {
    return join(this.dir, 'times-v1', `${encodeURIComponent(name)}.json`);
  }

  /** Publish times already learned for a package's versions. */
  async times(name: string): Promise<Record<string, string>> {
    try {
      const parsed = JSON.parse(await readFile(this.timesPath(name), 'utf8')) as unknown;
      if (typeof parsed !== 'object' || parsed === null) return {};
      return Object.fromEntries(Object.entries(parsed).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
    } catch {
      return {};
    }
  }

  async putTimes(name: string, times: Record<string, string>): Promise<void> {
    await atomicWrite(this.timesPath(name), JSON.stringify(times)).catch(() => {});
  }
}

async function atomicWrite(file: string, data: Buffer | string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
