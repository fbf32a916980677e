// A package's `exports` and `imports` maps resolved as Node's ESM resolver specifies them
// (PACKAGE_EXPORTS_RESOLVE / PACKAGE_IMPORTS_RESOLVE in the Node.js "Modules: ECMAScript modules"
// documentation): an exact key first, else the `*` pattern with the longest prefix; targets are
// strings, arrays of fallbacks, condition objects walked in their own key order (the first key that
// is an active condition wins), or null (excluded).

/** The subpath key (`.`, `./x`, `#y`) to match, and the active conditions. */
export function resolvePackageMap(map: unknown, key: string, conditions: readonly string[]): string[] {
  const subpaths = normalized(map, key.startsWith('#'));
  if (!subpaths) return [];
  if (Object.hasOwn(subpaths, key) && !key.includes('*')) return targets(subpaths[key], conditions, undefined);
  let best: { pattern: string; match: string } | undefined;
  for (const pattern of Object.keys(subpaths)) {
    const star = pattern.indexOf('*');
    if (star < 0 || star !== pattern.lastIndexOf('*')) continue;
    const prefix = pattern.slice(0, star);
    const suffix = pattern.slice(star + 1);
    if (!key.startsWith(prefix) || key === prefix || !key.endsWith(suffix) || key.length < pattern.length) continue;
    if (best && !longerPattern(pattern, best.pattern)) continue;
    best = { pattern, match: key.slice(prefix.length, key.length - suffix.length) };
  }
  return best ? targets(subpaths[best.pattern], conditions, best.match) : [];
}

/** `exports: "./x"`, an array, or a condition object all mean the `.` subpath. */
function normalized(map: unknown, isImports: boolean): Record<string, unknown> | undefined {
  if (map === null || map === undefined) return undefined;
  if (typeof map === 'string' || Array.isArray(map)) return isImports ? undefined : { '.': map };
  if (typeof map !== 'object') return undefined;
  const keys = Object.keys(map);
  const marker = isImports ? '#' : '.';
  if (keys.length > 0 && keys.every((k) => !k.startsWith(marker))) return isImports ? undefined : { '.': map };
  return map as Record<string, unknown>;
}

/** Node's PATTERN_KEY_COMPARE: the longer prefix before `*` wins, then the longer key. */
function longerPattern(a: string, b: string): boolean {
  const pa = a.indexOf('*');
  const pb = b.indexOf('*');
  return pa !== pb ? pa > pb : a.length > b.length;
}

function targets(target: unknown, conditions: readonly string[], match: string | undefined): string[] {
  if (typeof target === 'string') return [match === undefined ? target : target.split('*').join(match)];
  if (Array.isArray(target)) return target.flatMap((t) => targets(t, conditions, match));
  if (target && typeof target === 'object') {
    for (const [condition, value] of Object.entries(target)) {
      if (!conditions.includes(condition)) continue;
      const found = targets(value, conditions, match);
      if (found.length > 0) return found;
    }
  }
  return [];
}
