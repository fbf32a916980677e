// Builds small npm package tarballs in memory (ustar inside gzip, files under `package/`) and the
// digests a publish body carries. Only for generated fixtures: it never reads a tarball.

import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

const BLOCK = 512;
// npm pack stamps every entry with this date so that tarballs are reproducible.
const MTIME = Math.floor(Date.UTC(1985, 9, 26, 8, 15) / 1000);

function octal(value, width) {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function header(path, size) {
  const block = Buffer.alloc(BLOCK);
  block.write(path, 0, 100, 'utf8');
  block.write(octal(0o644, 8), 100);
  block.write(octal(0, 8), 108);
  block.write(octal(0, 8), 116);
  block.write(octal(size, 12), 124);
  block.write(octal(MTIME, 12), 136);
  block.write('        ', 148); // checksum is computed over the header with these 8 spaces
  block.write('0', 156);
  block.write('ustar\0', 257);
  block.write('00', 263);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(octal(sum, 7) + ' ', 148);
  return block;
}

/** files: { 'package.json': string, ... } → gzipped tarball with each file under package/. */
export function packTarball(files) {
  const parts = [];
  for (const [name, text] of Object.entries(files)) {
    const body = Buffer.from(text);
    parts.push(header(`package/${name}`, body.length), body);
    const pad = (BLOCK - (body.length % BLOCK)) % BLOCK;
    if (pad) parts.push(Buffer.alloc(pad));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return gzipSync(Buffer.concat(parts), { level: 9 });
}

/** The digests npm puts in `dist` (libnpmpublish: ssri sha512 SRI + sha1 hex). */
export function digests(tgz) {
  return {
    integrity: `sha512-${createHash('sha512').update(tgz).digest('base64')}`,
    shasum: createHash('sha1').update(tgz).digest('hex'),
  };
}
