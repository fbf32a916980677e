// Reads the JSON body of `PUT /<name>` (npm, pnpm, yarn 1 and 4 all send this envelope) into
// a checked PublishRequest. attacker-controlled: every field is parsed defensively, and nothing
// here touches storage. The tarball's own contents are checked later by tarball.ts.
import { createHash } from 'node:crypto';
import semver from 'semver';
import { fail } from '../errors.js';
import { printable, type PackageName } from './names.js';
import { parseTagName } from './dist-tag-names.js';
import { assertJsonDepth, withoutPrototypeKeys } from './manifest-rules.js';

/** One version checked against its tarball's digests: what publish and import both store. */
export interface VersionRequest {
  name: PackageName;
  version: string;
  /** The version object as sent, minus dist and the fields the server sets itself. */
  manifest: Record<string, unknown>;
  readme: string;
  tarball: Buffer;
  integrity: string;
  shasum: string;
}

export interface PublishRequest extends VersionRequest {
  tag: string;
  access: 'public' | 'restricted' | null;
  /** The `<name>-<version>.sigstore` attachment's JSON text, as `npm publish --provenance` sends it; unchecked here (domain/provenance). */
  provenance?: string;
}

/** Fields a client may not set: the registry computes or records them. */
const SERVER_FIELDS = new Set([
  'dist',
  '_npmUser',
  'maintainers',
  '_id',
  'readme',
  '_attachments',
  '_rev',
  'deprecated',
  'hasInstallScript',
  // Set only by `gatehouse import`; a publish claiming it would pass for history.
  '_imported',
]);

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parsePublishDocument(urlName: PackageName, raw: unknown): PublishRequest {
  if (!isObject(raw)) fail('BadRequest', 'The publish body must be a JSON object.');
  assertJsonDepth(raw, 'The publish document');
  const body = withoutPrototypeKeys(raw);
  if (body.name !== undefined && body.name !== urlName) {
    fail('ManifestMismatch', `The document names "${printable(String(body.name))}" but was sent to "${urlName}".`);
  }
  const { version, manifest } = onlyVersion(body.versions);
  const tag = onlyTag(body['dist-tags'], version);
  const tarball = onlyTarball(urlName, version, body._attachments);
  const provenance = provenanceAttachment(urlName, version, body._attachments);
  const own = isObject(manifest) ? manifest.readme : undefined;
  const readme = typeof own === 'string' ? own : typeof body.readme === 'string' ? body.readme : '';
  return {
    ...versionRequest(urlName, version, manifest, tarball, readme),
    tag,
    access: parseAccess(body.access),
    ...(provenance !== undefined && { provenance }),
  };
}

/**
 * Checks one version document (its key, name, version and digests) against its tarball's bytes.
 * attacker-controlled, for import too: the document comes from another registry.
 */
export function versionRequest(name: PackageName, key: string, raw: unknown, tarball: Buffer, readme: string): VersionRequest {
  if (!isObject(raw)) fail('BadRequest', `versions["${printable(key)}"] must be an object.`);
  assertJsonDepth(raw, `versions["${printable(key)}"]`);
  const manifest = withoutPrototypeKeys(raw);
  const version = semver.valid(key);
  if (!version || version !== key || key.length > 256) {
    fail('InvalidVersion', `"${printable(key)}" is not a valid semver version (e.g. 1.2.3 or 2.0.0-beta.1).`);
  }
  if (manifest.name !== name) {
    fail('ManifestMismatch', `versions["${key}"].name is "${printable(String(manifest.name))}", not "${name}".`);
  }
  if (manifest.version !== key) {
    fail('ManifestMismatch', `versions["${key}"].version is "${printable(String(manifest.version))}", not "${key}".`);
  }
  const { integrity, shasum } = checkDigests(manifest.dist, tarball);
  const clean = Object.fromEntries(Object.entries(manifest).filter(([field]) => !SERVER_FIELDS.has(field)));
  return { name, version, manifest: clean, readme, tarball, integrity, shasum };
}

function onlyVersion(versions: unknown): { version: string; manifest: unknown } {
  if (!isObject(versions)) fail('BadRequest', 'The publish document has no "versions" object.');
  const entries = Object.entries(versions);
  if (entries.length !== 1) fail('BadRequest', `Publish exactly one version at a time; this document has ${entries.length}.`);
  const [version, manifest] = entries[0]!;
  return { version, manifest };
}

function onlyTag(distTags: unknown, version: string): string {
  if (distTags === undefined) return 'latest';
  if (!isObject(distTags)) fail('BadRequest', '"dist-tags" must be an object such as {"latest": "1.0.0"}.');
  const entries = Object.entries(distTags);
  if (entries.length === 0) return 'latest';
  if (entries.length !== 1) fail('BadRequest', 'A publish sets exactly one dist-tag.');
  const [tag, target] = entries[0]!;
  if (target !== version)
    fail('BadRequest', `The dist-tag "${printable(tag)}" must point at the version being published (${version}).`);
  return parseTagName(tag);
}

function onlyTarball(name: PackageName, version: string, attachments: unknown): Buffer {
  if (!isObject(attachments)) {
    fail(
      'MissingAttachment',
      'The publish document has no "_attachments": the tarball is missing. Publish with npm, pnpm or yarn.',
    );
  }
  const keys = Object.keys(attachments);
  const tgzKeys = keys.filter((k) => k.endsWith('.tgz'));
  const other = keys.filter((k) => !k.endsWith('.tgz') && k !== provenanceKey(name, version));
  if (other.length > 0) {
    fail(
      'BadRequest',
      `Unsupported attachment "${printable(other[0]!)}": this registry accepts only the package tarball for now.`,
    );
  }
  if (tgzKeys.length !== 1)
    fail('MissingAttachment', `Expected exactly one .tgz attachment for ${name}@${version}, found ${tgzKeys.length}.`);
  const attachment = attachments[tgzKeys[0]!];
  if (!isObject(attachment) || typeof attachment.data !== 'string' || attachment.data.length === 0) {
    fail('MissingAttachment', 'The tarball attachment has no base64 "data".');
  }
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(attachment.data)) fail('BadRequest', 'The tarball attachment "data" is not base64.');
  const bytes = Buffer.from(attachment.data, 'base64');
  if (attachment.length !== undefined && attachment.length !== bytes.length) {
    fail(
      'IntegrityMismatch',
      `The attachment says it is ${String(attachment.length)} bytes but its data decodes to ${bytes.length}.`,
    );
  }
  return bytes;
}

/** libnpmpublish `publish.js` names the provenance bundle attachment `<name>-<version>.sigstore`. */
function provenanceKey(name: PackageName, version: string): string {
  return `${name}-${version}.sigstore`;
}

function provenanceAttachment(name: PackageName, version: string, attachments: unknown): string | undefined {
  if (!isObject(attachments) || !Object.hasOwn(attachments, provenanceKey(name, version))) return undefined;
  const attachment = attachments[provenanceKey(name, version)];
  // npm sends the bundle's JSON text itself as "data" (not base64), with the bundle's mediaType as content_type.
  if (!isObject(attachment) || typeof attachment.data !== 'string' || attachment.data.length === 0)
    fail(
      'ProvenanceMalformed',
      'The provenance attachment has no "data": send the Sigstore bundle JSON as npm publish --provenance does.',
    );
  return attachment.data;
}

/** Every digest the client declares must match the bytes; at least one must be declared. */
function checkDigests(dist: unknown, tarball: Buffer): { integrity: string; shasum: string } {
  const digest = (algorithm: string) => createHash(algorithm).update(tarball).digest('base64');
  const integrity = `sha512-${digest('sha512')}`;
  const sha1 = Buffer.from(digest('sha1'), 'base64').toString('hex');
  if (!isObject(dist))
    fail('IntegrityMismatch', 'The version has no "dist" with integrity or shasum; the tarball cannot be verified.');
  const declared = dist.integrity;
  const shasum = dist.shasum;
  if (declared === undefined && shasum === undefined) {
    fail('IntegrityMismatch', 'The version declares neither dist.integrity nor dist.shasum; the tarball cannot be verified.');
  }
  let checked = 0;
  if (declared !== undefined) {
    if (typeof declared !== 'string') fail('IntegrityMismatch', 'dist.integrity must be a string such as "sha512-…".');
    for (const entry of declared.trim().split(/\s+/)) {
      const [algorithm, expected] = splitSri(entry);
      // Unknown algorithms are skipped, as ssri does; every known one must match.
      if (!SRI_ALGORITHMS.has(algorithm)) continue;
      if (expected !== digest(algorithm))
        fail(
          'IntegrityMismatch',
          `The tarball's ${algorithm} does not match dist.integrity: the upload is corrupt or was altered.`,
        );
      checked += 1;
    }
  }
  if (shasum !== undefined) {
    if (shasum !== sha1)
      fail('IntegrityMismatch', "The tarball's sha1 does not match dist.shasum: the upload is corrupt or was altered.");
    checked += 1;
  }
  // An integrity of only unknown algorithms (or no SRI at all) would otherwise verify nothing.
  if (checked === 0) {
    fail(
      'IntegrityMismatch',
      'dist.integrity holds no sha1, sha256, sha384 or sha512 digest and there is no dist.shasum; the tarball cannot be verified.',
    );
  }
  return { integrity, shasum: sha1 };
}

const SRI_ALGORITHMS = new Set(['sha1', 'sha256', 'sha384', 'sha512']);

function splitSri(entry: string): [string, string] {
  const dash = entry.indexOf('-');
  const digest = entry.slice(dash + 1).split('?')[0] ?? '';
  return [entry.slice(0, dash), digest];
}

function parseAccess(access: unknown): 'public' | 'restricted' | null {
  if (access === undefined || access === null) return null;
  if (access === 'public' || access === 'restricted') return access;
  fail('BadRequest', `"access" must be "public" or "restricted", not "${printable(String(access))}".`);
}
