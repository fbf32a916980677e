// Where tarball bytes live. Blobs are addressed by the hex sha512 of their bytes and never
// rewritten, so a blob written before a failed transaction is an orphan, never a wrong answer.
import type { Readable } from 'node:stream';

export type Sha512Hex = string & { readonly brand: 'Sha512Hex' };

/** An opened blob: the stream is the caller's to consume or destroy (destroying releases it). */
export interface OpenBlob {
  stream: Readable;
  size: number;
}

export interface BlobStore {
  /** Stores the bytes under their sha512 and returns it; durable once the promise resolves. */
  put(bytes: Buffer): Promise<Sha512Hex>;
  /**
   * Opens the blob, or undefined when absent. Once it resolves the blob is open: a read that
   * starts answering after it cannot then find the blob gone.
   */
  open(address: Sha512Hex): Promise<OpenBlob | undefined>;
  /**
   * The whole blob in one step, or undefined when absent: an optional speed-up over open() (the
   * file store reads the file at once). No reader needs a local path, so a store need not have one.
   */
  read?(address: Sha512Hex): Promise<Buffer | undefined>;
  has(address: Sha512Hex): Promise<boolean>;
}

/** The whole blob in memory (small tarballs only), or undefined when absent. */
export async function readBlob(blobs: BlobStore, address: Sha512Hex): Promise<Buffer | undefined> {
  if (blobs.read) return blobs.read(address);
  const blob = await blobs.open(address);
  if (!blob) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of blob.stream) chunks.push(chunk as Buffer);
  // One chunk is kept as it came: a copy of a small one would come from the shared Buffer pool,
  // and a kept slice of the pool keeps all 8 kB of it.
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}
