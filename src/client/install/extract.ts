// Unpacks one verified tarball the way npm (pacote) does: the top folder stripped, regular files
// only (npm never creates the links or empty folders a tarball holds), the last copy of a repeated
// file kept, a `.gitignore` renamed `.npmignore` unless one was seen, modes widened to rw-rw-rw-
// under the umask with the tarball's execute bits kept. The archive is read with the registry's own
// strict reader and path rules (src/domain/packages), so a tarball that could land outside its
// folder (absolute paths, "..", links that leave the package, even the links npm would skip) is
// refused before any of its files is written.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { isGatehouseError } from '../../domain/errors.js';
import { readTar } from '../../domain/packages/tar-reader.js';
import { checkLinks, entryPath, linkOf, type Link } from '../../domain/packages/tarball-paths.js';
import { ClientError } from '../errors.js';

export interface UnpackedFile {
  /** Below the package folder: `lib/index.js`. */
  path: string;
  /** The mode npm asks the file system for (the umask still applies). */
  mode: number;
  bytes: Buffer;
}

// Far above any real package (the deepest npm packages nest a few dozen folders), low enough to
// stop a crafted archive.
const LIMITS = { maxPathDepth: 128, maxUnpackedBytes: 1024 ** 3, maxFileCount: 200_000, maxPackageJsonBytes: 16 * 1024 ** 2 };

/** The files a client ends up with, in archive order; refuses an unsafe or unreadable archive. */
export async function readPackageFiles(tgz: Buffer, what: string): Promise<UnpackedFile[]> {
  const files = new Map<string, UnpackedFile>();
  const links: Link[] = [];
  const sawNpmignore = new Set<string>();
  let root: string | undefined;
  let unpacked = 0;
  const gunzip = createGunzip();
  gunzip.end(tgz);
  try {
    for await (const { entry, body } of readTar(gunzip, (e) => (e.type === 'file' ? e.size : 0))) {
      const segments = entryPath(entry.path, root, LIMITS);
      root ??= segments[0];
      if (segments.length < 2) continue;
      if (entry.type === 'symlink' || entry.type === 'link') {
        links.push(linkOf(entry, segments));
        continue;
      }
      if (entry.type === 'directory') continue;
      if (entry.type !== 'file')
        throw new ClientError(`${what}: the tarball holds a ${entry.type} entry, which a package may not.`);
      unpacked += entry.size;
      if (unpacked > LIMITS.maxUnpackedBytes) throw new ClientError(`${what}: the tarball unpacks to more than 1 GiB.`);
      let path = segments.slice(1).join('/');
      const base = segments[segments.length - 1];
      if (base === '.npmignore') sawNpmignore.add(path);
      else if (base === '.gitignore') {
        path = path.replace(/\.gitignore$/, '.npmignore');
        if (sawNpmignore.has(path)) continue;
      }
      files.delete(path); // a later copy lands where tar would put it: after the others
      files.set(path, { path, mode: (entry.mode | 0o666 | 0o600) & 0o777, bytes: body });
    }
    checkLinks(links, root ?? 'package');
  } catch (err) {
    if (err instanceof ClientError) throw err;
    if (isGatehouseError(err)) throw new ClientError(`Refused ${what}: ${err.message}`);
    throw new ClientError(`Refused ${what}: the tarball is not a readable gzip-compressed tar archive.`);
  } finally {
    gunzip.destroy();
  }
  // A file where another file needs a folder: tar would fail half-way, so refuse it whole.
  for (const path of files.keys()) {
    for (let i = path.indexOf('/'); i > 0; i = path.indexOf('/', i + 1)) {
      if (files.has(path.slice(0, i)))
        throw new ClientError(`Refused ${what}: "${path.slice(0, i)}" is both a file and a folder.`);
    }
  }
  return [...files.values()];
}

/** Writes the files under `dest` (created), folders as the umask gives them. */
export async function writePackageFiles(dest: string, files: UnpackedFile[], made: Set<string>): Promise<void> {
  for (const file of files) {
    const target = join(dest, file.path);
    const folder = dirname(target);
    if (!made.has(folder)) {
      await mkdir(folder, { recursive: true });
      made.add(folder);
    }
    await writeFile(target, file.bytes, { mode: file.mode });
  }
}
