// What of a version document Gatehouse stores and serves, shared by publish and import.
// attacker-controlled: the publish document and the tarball's package.json are both parsed
// defensively here. Must never let a field installers act on differ from what the tarball holds.
import { posix } from 'node:path';
import { fail } from '../errors.js';
import { isObject } from './publish-document.js';
import { unscopedName, type PackageName } from './names.js';

/** Deeper JSON than this is refused: storing and re-serving it recursed until the stack ran out. */
export const MAX_JSON_DEPTH = 64;

/** Keys that would set an object's prototype in a client that merges manifests naively. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor']);

export interface ManifestLimits {
  maxManifestBytes: number;
  maxReadmeBytes: number;
}

/**
 * Fields installers act on without reading the tarball (npm's arborist and pnpm's resolver take
 * them from the packument): they are served from the tarball's package.json, whatever the
 * document says, so a document cannot hide a platform or an engine from a reviewer. `bin`,
 * bundled dependencies and `_hasShrinkwrap` too, normalised (see servedManifest).
 */
const FROM_TARBALL = ['os', 'cpu', 'libc', 'engines', 'license', 'peerDependenciesMeta', 'optionalDependencies'];

/** Refuses JSON nested deeper than MAX_JSON_DEPTH; iterative, so the check itself cannot overflow. */
export function assertJsonDepth(value: unknown, where: string): void {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (typeof item !== 'object' || item === null) continue;
    if (depth > MAX_JSON_DEPTH) {
      fail(
        'ManifestTooDeep',
        `${where} nests objects or arrays more than ${MAX_JSON_DEPTH} levels deep, the limit here. Flatten it and publish again.`,
      );
    }
    for (const child of Object.values(item)) stack.push([child, depth + 1]);
  }
}

/** A copy without `__proto__` and `constructor` keys at any depth. Call after assertJsonDepth. */
export function withoutPrototypeKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item: unknown) => withoutPrototypeKeys(item)) as T;
  if (typeof value !== 'object' || value === null) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (!PROTOTYPE_KEYS.has(key)) copy[key] = withoutPrototypeKeys(child);
  }
  return copy as T;
}

/**
 * The manifest to store: the document's fields, with every FROM_TARBALL field (and bundled
 * dependencies and `_hasShrinkwrap`) replaced by what the tarball says, normalised as npm does.
 */
export function servedManifest(
  name: PackageName,
  document: Record<string, unknown>,
  packageJson: Record<string, unknown>,
  hasShrinkwrap: boolean,
): Record<string, unknown> {
  const replaced = new Set([...FROM_TARBALL, 'bin', 'bundleDependencies', 'bundledDependencies', '_hasShrinkwrap']);
  const manifest = Object.fromEntries(Object.entries(document).filter(([field]) => !replaced.has(field)));
  for (const field of FROM_TARBALL) {
    if (packageJson[field] !== undefined) manifest[field] = packageJson[field];
  }
  const bin = normaliseBin(name, packageJson.bin);
  if (bin) manifest.bin = bin;
  const bundled = bundleDependenciesOf(packageJson);
  if (bundled) manifest.bundleDependencies = bundled;
  if (hasShrinkwrap) manifest._hasShrinkwrap = true;
  return manifest;
}

/**
 * npm-normalize-package-bin: a string bin is named after the unscoped package; each name is its
 * base name and each target a relative path without `./` or `..` above the package root.
 */
export function normaliseBin(name: PackageName, bin: unknown): Record<string, string> | undefined {
  const entries: [string, unknown][] =
    typeof bin === 'string' ? [[unscopedName(name), bin]] : isObject(bin) ? Object.entries(bin) : [];
  const result: Record<string, string> = {};
  for (const [key, target] of entries) {
    if (typeof target !== 'string') continue;
    const base = posix.join('/', posix.basename(key.replace(/\\|:/g, '/'))).slice(1);
    const path = posix.join('/', target.replace(/\\/g, '/')).slice(1);
    if (base && path && !PROTOTYPE_KEYS.has(base)) result[base] = path;
  }
  return Object.keys(result).length > 0 ? result : undefined;
}

/** `bundledDependencies` is an alias; `true` means every dependency (as npm pack reads it). */
function bundleDependenciesOf(packageJson: Record<string, unknown>): string[] | undefined {
  const raw = packageJson.bundleDependencies ?? packageJson.bundledDependencies;
  if (raw === true) return isObject(packageJson.dependencies) ? Object.keys(packageJson.dependencies) : undefined;
  if (!Array.isArray(raw)) return undefined;
  const names = raw.filter((item): item is string => typeof item === 'string');
  return names.length > 0 ? names : undefined;
}

/** Refuses a version document larger than the limit: every read of the package would carry it. */
export function assertManifestSize(manifest: Record<string, unknown>, limits: ManifestLimits): void {
  const bytes = Buffer.byteLength(JSON.stringify(manifest));
  if (bytes > limits.maxManifestBytes) {
    fail(
      'ManifestTooLarge',
      `The version document is ${bytes} bytes without its README; the limit here is ${limits.maxManifestBytes}. ` +
        'Move bulky data out of package.json and publish again.',
    );
  }
}

/** A README over the limit is cut at a character boundary and says so; the publish answer warns. */
export function cappedReadme(text: string, limits: ManifestLimits): { readme: string; warning?: string } {
  const bytes = Buffer.byteLength(text);
  if (bytes <= limits.maxReadmeBytes) return { readme: text };
  const cut = new TextDecoder('utf-8').decode(Buffer.from(text).subarray(0, limits.maxReadmeBytes), { stream: true });
  const note = `\n\n*(README truncated by the registry: ${bytes} bytes, the limit here is ${limits.maxReadmeBytes}.)*\n`;
  return {
    readme: cut + note,
    warning: `The README is ${bytes} bytes; only the first ${limits.maxReadmeBytes} are kept.`,
  };
}
