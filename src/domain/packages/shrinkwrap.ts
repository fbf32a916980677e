// Whether a tarball holds package/npm-shrinkwrap.json, which is what `_hasShrinkwrap` must say:
// npm reads that flag to decide whether to fetch the tarball for a locked tree. Call only on a
// tarball inspectTarball accepted (its limits already bound this second pass); never extracts.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { entryPath } from './tarball-paths.js';
import type { TarballLimits } from './tarball.js';

export async function hasShrinkwrap(tgz: Buffer, limits: TarballLimits): Promise<boolean> {
  const tar = extract();
  const piped = pipeline(Readable.from([tgz]), createGunzip(), tar);
  let found = false;
  for await (const entry of tar) {
    const path = entryPath(entry.header.name, limits);
    const isFile = entry.header.type === 'file' || entry.header.type === 'contiguous-file';
    if (isFile && path.length === 2 && path[1] === 'npm-shrinkwrap.json') found = true;
    entry.resume();
  }
  await piped;
  return found;
}
