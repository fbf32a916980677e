// Without a lockfile: npm's own tree builder (@npmcli/arborist, the code `npm install` runs) picks
// the versions from package.json against the registry, honouring min-release-age through its
// `before` date and min-release-age-exclude, and only the lockfile (v3) is written; the install then
// proceeds from that lockfile like any other. Imported only on this path: it is large.
import { join } from 'node:path';
import { ClientError } from '../errors.js';
import type { InstallSettings } from './settings.js';

export interface ResolveOptions {
  dir: string;
  registry: string;
  token: string | undefined;
  settings: InstallSettings;
  /** Where arborist may keep the packuments it fetched (its own cache format). */
  cache: string | undefined;
}

export async function writeLockfile(opts: ResolveOptions): Promise<void> {
  const { default: Arborist } = await import('@npmcli/arborist');
  const url = new URL(opts.registry);
  const days = opts.settings.minReleaseAgeDays;
  const arb = new Arborist({
    path: opts.dir,
    registry: opts.registry,
    // npm-registry-fetch finds a token under the registry's "nerf dart" key, as in .npmrc
    ...(opts.token ? { [`//${url.host}${url.pathname}:_authToken`]: opts.token } : {}),
    ...(opts.cache ? { cache: join(opts.cache, 'arborist') } : {}),
    ...(days !== undefined ? { before: new Date(Date.now() - days * 86_400_000) } : {}),
    minReleaseAgeExclude: opts.settings.minReleaseAgeExclude,
    lockfileVersion: 3,
    ignoreScripts: true,
    audit: false,
    fund: false,
    progress: false,
  });
  try {
    // What `npm install --package-lock-only` runs: the ideal tree, plus the contents of bundling
    // packages' tarballs (the lockfile lists bundled packages), saved as the lockfile alone.
    await arb.reify({ packageLockOnly: true, save: true });
  } catch (err) {
    const e = err as Error & { code?: string };
    throw new ClientError(`Cannot resolve package.json${e.code ? ` (${e.code})` : ''}: ${e.message.split('\n')[0]}`);
  }
}
