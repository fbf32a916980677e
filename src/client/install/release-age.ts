// npm's minimum release age for a lockfile install: every pinned version must have been published
// (by the registry's packument `time`) at least `min-release-age` days ago, unless its name matches
// `min-release-age-exclude`. npm applies the window when it resolves; a lockfile already chose, so
// a version inside the window is refused here rather than silently installed. Publish times never
// change, so they are cached and the registry is asked only about versions not yet seen.
import { ClientError } from '../errors.js';
import type { LockedPackage } from '../lockfile.js';
import type { RegistryClient } from '../registry-client.js';
import type { ContentCache } from './cache.js';
import { globMatches, type InstallSettings } from './settings.js';

const DAY_MS = 86_400_000;

export async function checkReleaseAge(
  packages: LockedPackage[],
  settings: InstallSettings,
  client: RegistryClient,
  cache: ContentCache | undefined,
  now = Date.now(),
): Promise<void> {
  const days = settings.minReleaseAgeDays;
  if (days === undefined) return;
  const byName = new Map<string, Set<string>>();
  for (const pkg of packages) {
    if (pkg.link || !pkg.version || !pkg.resolved || !/^https?:/.test(pkg.resolved)) continue;
    if (settings.minReleaseAgeExclude.some((pattern) => globMatches(pattern, pkg.name))) continue;
    const versions = byName.get(pkg.name) ?? new Set<string>();
    versions.add(pkg.version);
    byName.set(pkg.name, versions);
  }
  const young: string[] = [];
  const names = [...byName.keys()];
  const worker = async () => {
    for (let name = names.shift(); name !== undefined; name = names.shift()) {
      const versions = byName.get(name) as Set<string>;
      const times = (await cache?.times(name)) ?? {};
      if ([...versions].some((v) => times[v] === undefined)) {
        const doc = await client.packument(name, { full: true });
        const fetched = (doc?.time ?? {}) as Record<string, unknown>;
        for (const [version, time] of Object.entries(fetched))
          if (version !== 'created' && version !== 'modified' && typeof time === 'string') times[version] = time;
        await cache?.putTimes(name, times);
      }
      for (const version of versions) {
        const published = Date.parse(times[version] ?? '');
        if (Number.isNaN(published)) {
          throw new ClientError(
            `${name}@${version}: the registry does not say when it was published, so min-release-age=${days} ` +
              `(${settings.minReleaseAgeFile}) cannot be checked. Add it to min-release-age-exclude to install it anyway.`,
          );
        }
        const age = (now - published) / DAY_MS;
        if (age < days)
          young.push(`${name}@${version} was published ${describeAge(age)} ago (${new Date(published).toISOString()})`);
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  if (young.length) {
    young.sort();
    throw new ClientError(
      `The lockfile pins ${young.length === 1 ? 'a version' : `${young.length} versions`} younger than ` +
        `min-release-age=${days} (days, set in ${settings.minReleaseAgeFile}):\n  ${young.join('\n  ')}\n` +
        'Nothing was installed. Pin older versions, wait, or add the package to min-release-age-exclude.',
    );
  }
}

function describeAge(days: number): string {
  if (days >= 1) return `${days.toFixed(1)} days`;
  const hours = days * 24;
  return hours >= 1 ? `${hours.toFixed(1)} hours` : `${Math.max(0, Math.round(hours * 60))} minutes`;
}
