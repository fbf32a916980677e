// A blob store that keeps tarballs in a Map and can only stream them: no local path, as an
// S3-compatible store would be. A real store (put, has, open all work), not a stand-in for one.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { BlobStore, OpenBlob, Sha512Hex } from '../../src/domain/packages/blobs.js';

export class MemoryBlobStore implements BlobStore {
  private readonly blobs = new Map<Sha512Hex, Buffer>();
  /** How many times a blob was opened: the read paths must come here for bytes. */
  opened = 0;

  put(bytes: Buffer): Promise<Sha512Hex> {
    const address = createHash('sha512').update(bytes).digest('hex') as Sha512Hex;
    this.blobs.set(address, Buffer.from(bytes));
    return Promise.resolve(address);
  }

  has(address: Sha512Hex): Promise<boolean> {
    return Promise.resolve(this.blobs.has(address));
  }

  open(address: Sha512Hex): Promise<OpenBlob | undefined> {
    const bytes = this.blobs.get(address);
    if (!bytes) return Promise.resolve(undefined);
    this.opened++;
    // Chunks of 16 kB, so a large tarball arrives in pieces as it would over a network.
    const chunks = Array.from({ length: Math.ceil(bytes.length / 16384) }, (_, i) => bytes.subarray(i * 16384, (i + 1) * 16384));
    return Promise.resolve({ stream: Readable.from(chunks), size: bytes.length });
  }
}
