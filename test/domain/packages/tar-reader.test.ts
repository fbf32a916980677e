// The strict tar reader on its own (src/domain/packages/tar-reader.ts): what it yields, where it
// stops reading, and the header forms it refuses. Sources are in-memory chunk streams, counted.

import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../../src/domain/errors.js';
import { MAX_TRAILING_ZEROS, readTar, type TarRead } from '../../../src/domain/packages/tar-reader.js';
import { BLOCK, END, entry, file, header, manifest, pax } from '../../fixtures/tar-crafting.js';

const CHUNK = 16 * 1024;

/** Feeds `tar` in chunks of `size`, then `after` 16 KiB chunks of zeros, counting what the reader pulled. */
function source(tar: Buffer, after = 0, size = CHUNK): { chunks: AsyncIterable<Buffer>; pulled: () => number } {
  let pulled = 0;
  async function* chunks(): AsyncGenerator<Buffer> {
    for (let at = 0; at < tar.length; at += size) {
      const chunk = tar.subarray(at, at + size);
      pulled += chunk.length;
      yield chunk;
    }
    for (let i = 0; i < after; i++) {
      pulled += CHUNK;
      yield Buffer.alloc(CHUNK);
    }
  }
  return { chunks: chunks(), pulled: () => pulled };
}

async function readAll(tar: Buffer, after = 0): Promise<TarRead[]> {
  const reads: TarRead[] = [];
  for await (const read of readTar(source(tar, after).chunks, (e) => e.size)) reads.push(read);
  return reads;
}

async function refusal(tar: Buffer): Promise<ErrorCode> {
  const err: unknown = await readAll(tar).then(
    () => expect.unreachable('the archive was read'),
    (e: unknown) => e,
  );
  expect(err).toMatchObject({ name: 'GatehouseError' });
  return (err as { code: ErrorCode }).code;
}

const pkg = file('package/package.json', manifest());

describe('reading a tar archive', () => {
  it('yields each entry with its resolved path, type, size, link target and body', async () => {
    const reads = await readAll(
      Buffer.concat([
        pkg,
        pax([['path', `package/${'x'.repeat(120)}.js`]]),
        file('package/short.js', 'body'),
        entry({ name: 'package/bin', type: '2', linkname: 'short.js' }),
        END,
      ]),
    );
    expect(reads.map((r) => [r.entry.path, r.entry.type, r.entry.size, r.entry.linkname])).toEqual([
      ['package/package.json', 'file', manifest().length, ''],
      [`package/${'x'.repeat(120)}.js`, 'file', 4, ''],
      ['package/bin', 'symlink', 0, 'short.js'],
    ]);
    expect(reads[1]!.body.toString()).toBe('body');
  });

  it('keeps only the body bytes the caller asks for', async () => {
    const tar = Buffer.concat([file('package/big.bin', Buffer.alloc(3 * BLOCK + 7, 1)), END]);
    const [read] = await (async () => {
      const reads: TarRead[] = [];
      for await (const r of readTar(source(tar).chunks, () => 10)) reads.push(r);
      return reads;
    })();
    expect(read!.body).toEqual(Buffer.alloc(10, 1));
  });

  it('never keeps padding, however the decompressed stream is chunked', async () => {
    const tar = Buffer.concat([file('package/README.md', '# eleven b\n'), file('package/b.js', 'x'.repeat(700)), END]);
    for (const size of [1, 7, 500, 513, 1000]) {
      const bodies: string[] = [];
      for await (const read of readTar(source(tar, 0, size).chunks, () => 1024 * 1024)) bodies.push(read.body.toString());
      expect(bodies).toEqual(['# eleven b\n', 'x'.repeat(700)]);
    }
  });

  it('stops reading after the end-of-archive marker and a little zero padding', async () => {
    const tar = Buffer.concat([pkg, END]);
    const counted = source(tar, 10_000); // 160 MB of zeros after the archive
    const err: unknown = await (async () => {
      for await (const read of readTar(counted.chunks, () => 0)) void read;
    })().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'TarballAmbiguous' });
    expect(counted.pulled()).toBeLessThanOrEqual(tar.length + MAX_TRAILING_ZEROS + 2 * CHUNK);
  });

  it('accepts the zero padding git archive and GNU tar write up to a 10 KiB record', async () => {
    const reads = await readAll(Buffer.concat([pkg, END, Buffer.alloc(20 * BLOCK)]));
    expect(reads).toHaveLength(1);
  });
});

describe('refusing header forms clients read differently', () => {
  const cases: [string, Buffer, ErrorCode][] = [
    ['a pax header larger than 64 KiB', Buffer.concat([pax([['comment', 'c'.repeat(70_000)]]), pkg, END]), 'TarballAmbiguous'],
    ['a pax key npm never writes', Buffer.concat([pax([['hdrcharset', 'BINARY']]), pkg, END]), 'TarballAmbiguous'],
    ['a GNU sparse pax key', Buffer.concat([pax([['GNU.sparse.size', '1']]), pkg, END]), 'TarballAmbiguous'],
    [
      'a pax key set twice',
      Buffer.concat([
        pax([
          ['mtime', '1'],
          ['mtime', '2'],
        ]),
        pkg,
        END,
      ]),
      'TarballAmbiguous',
    ],
    ['an extended header with no entry after it', Buffer.concat([pkg, pax([['path', 'package/x']]), END]), 'TarballAmbiguous'],
    ['a GNU sparse entry', Buffer.concat([pkg, entry({ name: 'package/s', type: 'S' }), END]), 'TarballAmbiguous'],
    ['a tape volume header', Buffer.concat([entry({ name: 'vol', type: 'V' }), pkg, END]), 'TarballAmbiguous'],
    [
      'a header without ustar magic (v7)',
      Buffer.concat([entry({ name: 'package/package.json', magic: 'none' }), END]),
      'TarballAmbiguous',
    ],
    [
      'a name that is not UTF-8',
      Buffer.concat([pkg, entry({ name: Buffer.from('package/\xff.js', 'latin1') }), END]),
      'TarballAmbiguous',
    ],
    ['a newline in a name', Buffer.concat([pkg, file('package/a\nb.js'), END]), 'TarballUnsafePath'],
    ['an empty path segment', Buffer.concat([pkg, file('package//a.js'), END]), 'TarballAmbiguous'],
    ['a file named like a folder', Buffer.concat([pkg, file('package/lib/', 'x'), END]), 'TarballAmbiguous'],
    ['an empty name field with a pax path', Buffer.concat([pax([['path', 'package/x.js']]), file(''), END]), 'TarballAmbiguous'],
    [
      'a base-256 size',
      Buffer.concat([pkg, header({ name: 'package/x', sizeField: Buffer.from([0x80, ...Buffer.alloc(10), 1]) }), END]),
      'TarballNotGzip',
    ],
    [
      'an archive cut inside a header',
      Buffer.concat([pkg, header({ name: 'package/x', size: 1 }).subarray(0, 300)]),
      'TarballNotGzip',
    ],
  ];
  for (const [what, tar, code] of cases) {
    it(`refuses ${what}`, async () => {
      expect(await refusal(tar)).toBe(code);
    });
  }

  it('accepts vendor pax keys that change nothing a client extracts', async () => {
    const tar = Buffer.concat([
      pax([
        ['SCHILY.xattr.user.x', 'y'],
        ['LIBARCHIVE.creationtime', '1'],
      ]),
      pkg,
      END,
    ]);
    expect(await readAll(tar)).toHaveLength(1);
  });
});
