// The machine's stock npm (not a devDependency that `npm run` may put first on PATH), run with its
// own userconfig and cache per registry so that nothing of the user's ~/.npmrc or cache takes part.

import { mkdir, rm, writeFile } from 'node:fs/promises';
import { runCommand, which } from './processes.mjs';

export function stockNpm() {
  const npm = which('npm');
  if (!npm) throw new Error('npm is not on PATH');
  return npm;
}

/** A userconfig with the registry, its token (npm's "nerf-dart" key) and no network side-trips. */
export async function writeNpmrc(path, registry) {
  const host = registry.url.replace(/^https?:/, '');
  const lines = [
    `registry=${registry.url}/`,
    registry.token ? `${host}/:_authToken=${registry.token}` : '',
    'audit=false',
    'fund=false',
    'update-notifier=false',
    'progress=false',
    'loglevel=warn',
  ];
  await writeFile(path, lines.filter(Boolean).join('\n') + '\n');
  return path;
}

/** Runs npm with the given userconfig and cache folder; throws with npm's output if it fails (`check`). */
export function npm(args, { userconfig, cache, cwd, check = true }) {
  return runCommand(stockNpm(), [...args, '--userconfig', userconfig, '--cache', cache], { cwd, check });
}

/** An empty folder at `path`, whatever was there before. */
export async function emptyDir(path) {
  await rm(path, { recursive: true, force: true });
  await mkdir(path, { recursive: true });
  return path;
}
