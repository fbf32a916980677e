// Content-addressed blobs on the local disk: <root>/<aa>/<bb>/<sha512 hex>. Writes go to a
// temporary file, are fsynced, then renamed into place, so a crash leaves either no file or
// the whole file, never a torn one at the final name.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, opendir, readFile, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { BlobStore, OpenBlob, Sha512Hex } from '../../../domain/packages/blobs.js';

export class FsBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  private localPath(address: Sha512Hex): string {
    if (!/^[0-9a-f]{128}$/.test(address)) throw new Error('not a sha512 address');
    return join(this.root, address.slice(0, 2), address.slice(2, 4), address);
  }

  async has(address: Sha512Hex): Promise<boolean> {
    try {
      await stat(this.localPath(address));
      return true;
    } catch {
      return false;
    }
  }

  async put(bytes: Buffer): Promise<Sha512Hex> {
    const address = createHash('sha512').update(bytes).digest('hex') as Sha512Hex;
    const target = this.localPath(address);
    if (await this.has(address)) return address;
    await mkdir(dirname(target), { recursive: true });
    const temp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temp, target);
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      throw err;
    }
    await syncDirectory(dirname(target));
    return address;
  }

  /**
   * Removes temporary files a crash left behind. Only old ones: a young one may be a write in
   * progress in another process sharing this folder. Returns how many were removed. Walks one
   * folder at a time, so a store of millions of blobs costs no more memory than a small one.
   */
  async sweepTemporary(olderThanMs: number, now = Date.now()): Promise<number> {
    let removed = 0;
    for await (const path of temporaryFiles(this.root)) {
      try {
        if (now - (await stat(path)).mtimeMs < olderThanMs) continue;
        await unlink(path);
        removed++;
      } catch {
        // Gone already, or another process finished it: nothing to sweep.
      }
    }
    return removed;
  }

  async open(address: Sha512Hex): Promise<OpenBlob | undefined> {
    let handle: FileHandle;
    try {
      handle = await open(this.localPath(address), 'r');
    } catch {
      return undefined;
    }
    try {
      // The size of the file actually opened; the stream closes the handle when it ends or is destroyed.
      const { size } = await handle.stat();
      // A known end makes each read buffer exactly as large as what is left (a small tarball is one
      // read into one buffer of its size) instead of 64 kB to fill and copy out of.
      return { stream: handle.createReadStream(size > 0 ? { start: 0, end: size - 1 } : {}), size };
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  /** One readFile: a buffer of the file's size, outside the shared Buffer pool. */
  async read(address: Sha512Hex): Promise<Buffer | undefined> {
    try {
      return await readFile(this.localPath(address));
    } catch {
      return undefined;
    }
  }
}

/** The rename is durable only once the directory entry itself is on disk. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Every `*.tmp` file under `dir`, depth first; a folder that cannot be read is skipped. */
async function* temporaryFiles(dir: string): AsyncGenerator<string> {
  let entries;
  try {
    entries = await opendir(dir);
  } catch {
    return;
  }
  for await (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* temporaryFiles(path);
    else if (entry.isFile() && entry.name.endsWith('.tmp')) yield path;
  }
}
