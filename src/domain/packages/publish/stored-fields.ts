// What a stored version row derives from its manifest: dependency edges for the unpublish policy
// and the search columns. Publish (the commit step) and `gatehouse import` write the same.
import { isObject } from '../publish-document.js';

/**
 * What this version depends on, for the unpublish policy: package name → range. An alias
 * (`"v1": "npm:lib@^1"`) depends on `lib`, not on `v1`; two ranges on one package become one
 * `a || b` range, so a version either of them matches counts as depended on.
 */
export function dependencyEdges(manifest: Record<string, unknown>): Record<string, string> {
  const edges: Record<string, string> = {};
  for (const field of ['peerDependencies', 'optionalDependencies', 'dependencies']) {
    const map = manifest[field];
    if (!isObject(map)) continue;
    for (const [key, spec] of Object.entries(map)) {
      if (typeof spec !== 'string') continue;
      const alias = /^npm:((?:@[^/@]+\/)?[^@]+)(?:@(.*))?$/.exec(spec);
      const [dep, range] = alias ? [alias[1]!, alias[2] || '*'] : [key, spec];
      const earlier = edges[dep];
      edges[dep] = earlier === undefined || earlier === range ? range : `${earlier} || ${range}`;
    }
  }
  return edges;
}

export function searchFields(manifest: Record<string, unknown>): { description: string; keywords: string } {
  const description = typeof manifest.description === 'string' ? manifest.description.slice(0, 1000) : '';
  const keywords = Array.isArray(manifest.keywords) ? manifest.keywords.filter((k) => typeof k === 'string').join(' ') : '';
  return { description, keywords: keywords.slice(0, 1000) };
}
