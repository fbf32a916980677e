// The web UI's package addresses: `/package/<name>` and `/package/<name>/v/<version>`, written for
// people (scopes stay readable: /package/@acme/tools) but also read in npm's escaped form
// (/package/@acme%2ftools). attacker-controlled: a path that does not parse is simply not found.
import { takeName } from '../npm/paths.js';

export const PACKAGE_PREFIX = '/package/';

export interface PackageAddress {
  /** The name as written in the URL, not yet checked against npm's naming rules. */
  name: string;
  version?: string;
}

/** Reads the part of the URL after /package/; undefined when it is not a package address. */
export function parsePackageAddress(url: string): PackageAddress | undefined {
  const path = url.split('?')[0]!.slice(PACKAGE_PREFIX.length).replace(/\/$/, '');
  let segments: string[];
  try {
    segments = path.split('/').map(decodeURIComponent);
  } catch {
    return undefined;
  }
  const taken = takeName(segments);
  if (!taken) return undefined;
  const rest = taken.rest;
  if (rest.length === 0) return { name: taken.name };
  if (rest.length === 2 && rest[0] === 'v' && rest[1]) return { name: taken.name, version: rest[1] };
  return undefined;
}

function escapeName(name: string): string {
  return name
    .split('/')
    .map((part) => encodeURIComponent(part).replace(/^%40/, '@'))
    .join('/');
}

export function packageHref(name: string): string {
  return `${PACKAGE_PREFIX}${escapeName(name)}`;
}

export function versionHref(name: string, version: string): string {
  return `${packageHref(name)}/v/${encodeURIComponent(version)}`;
}

export function searchHref(query: string, page = 1): string {
  const params = new URLSearchParams({ q: query });
  if (page > 1) params.set('page', String(page));
  return `/search?${params.toString()}`;
}
