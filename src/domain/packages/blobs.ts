// Where tarball bytes live. Blobs are addressed by the hex sha512 of their bytes and never
// rewritten, so a blob written before a failed transaction is an orphan, never a wrong answer.
import type { Readable } from 'node:stream';

export type Sha512Hex = string & { readonly brand: 'Sha512Hex' };

export interface BlobStore {
  /** Stores the bytes under their sha512 and returns it; durable once the promise resolves. */
  put(bytes: Buffer): Promise<Sha512Hex>;
  /** Streams the blob, or undefined when absent. */
  open(address: Sha512Hex): Promise<{ stream: Readable; size: number } | undefined>;
  /** A file path for zero-copy serving, when the store is on the local disk. */
  localPath?(address: Sha512Hex): string;
  has(address: Sha512Hex): Promise<boolean>;
}
