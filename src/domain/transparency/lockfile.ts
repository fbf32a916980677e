// The versions of an npm lockfile (v2/v3 `packages`, v1 `dependencies`) that were resolved from one
// registry, with the sha512 their `integrity` pins: what `gatehouse verify` looks up in the log.
// attacker-controlled: a lockfile comes from a repository; anything not in the expected shape is skipped.

export interface LockedVersion {
  name: string;
  version: string;
  /** `sha512-…` as the lockfile pins it. */
  integrity: string;
}

export function lockedVersions(lockfile: unknown, registryUrl: string): LockedVersion[] {
  const base = registryUrl.replace(/\/+$/, '');
  const out = new Map<string, LockedVersion>();
  const take = (name: string | undefined, entry: unknown) => {
    if (!name || typeof entry !== 'object' || entry === null) return;
    const { version, resolved, integrity } = entry as Record<string, unknown>;
    if (typeof version !== 'string' || typeof resolved !== 'string' || typeof integrity !== 'string') return;
    if (!resolved.startsWith(`${base}/`)) return;
    const sha512 = integrity.split(/\s+/).find((i) => i.startsWith('sha512-'));
    if (sha512) out.set(`${name}@${version}`, { name, version, integrity: sha512 });
  };
  if (typeof lockfile !== 'object' || lockfile === null) return [];
  const { packages, dependencies } = lockfile as Record<string, unknown>;
  if (typeof packages === 'object' && packages !== null) {
    for (const [path, entry] of Object.entries(packages)) {
      if (path === '' || typeof entry !== 'object' || entry === null || (entry as { link?: unknown }).link === true) continue;
      const named = (entry as { name?: unknown }).name;
      const fromPath = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
      take(typeof named === 'string' ? named : fromPath, entry);
    }
  } else if (typeof dependencies === 'object' && dependencies !== null) {
    const walk = (deps: Record<string, unknown>) => {
      for (const [name, entry] of Object.entries(deps)) {
        if (typeof entry !== 'object' || entry === null) continue;
        take(name, entry);
        const nested = (entry as { dependencies?: unknown }).dependencies;
        if (typeof nested === 'object' && nested !== null) walk(nested as Record<string, unknown>);
      }
    };
    walk(dependencies as Record<string, unknown>);
  }
  return [...out.values()].sort((a, b) => (a.name === b.name ? a.version.localeCompare(b.version) : a.name < b.name ? -1 : 1));
}
