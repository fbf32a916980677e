// Where the compatibility check keeps its state: `.compat/` at the repository root. The tarball
// cache (`.compat/tarballs/*.tgz`) is read by other tools as a corpus, so only tarballs go there.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
// COMPAT_STATE_DIR lets another checkout (the merged main) reuse one cache and so test the same set.
export const STATE = process.env.COMPAT_STATE_DIR ? resolve(process.env.COMPAT_STATE_DIR) : join(REPO, '.compat');
export const TARBALLS = join(STATE, 'tarballs');

export function ensureDirs() {
  mkdirSync(TARBALLS, { recursive: true });
}

/** One file per name@version; "/" of a scope becomes "+", which no package name may contain. */
export function tarballFile(name, version) {
  return join(TARBALLS, `${name.replace('/', '+')}@${version}.tgz`);
}

export function readJson(path, fallback) {
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : fallback;
}

/** Written whole then renamed, so an interrupted run never leaves half a state file. */
export function writeJson(path, value) {
  writeFileSync(`${path}.tmp`, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
}

/** The ssri form npm prints: "sha512-<base64>". */
export function sha512Integrity(bytes) {
  return `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
}
