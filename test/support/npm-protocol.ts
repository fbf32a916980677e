// The request sequences npm sends for its package commands, played through a TestRegistry so tests
// can change packages exactly as `npm deprecate`, `npm owner`, `npm dist-tag` and `npm unpublish`
// do (libnpmpublish, npm/lib/commands/*). Each returns the response npm would stop at; it never
// asserts, so a test can expect a refusal as easily as a success.
import type { LightMyRequestResponse } from 'fastify';
import semver from 'semver';
import type { TestRegistry, TestUser } from './registry.js';
import type { PackageBuilder } from '../fixtures/package-builder.js';

export const CORGI = 'application/vnd.npm.install-v1+json';

export interface Maintainer {
  name: string;
  email: string;
}

export interface PackumentVersion {
  version: string;
  deprecated?: string;
  dependencies?: Record<string, string>;
  scripts?: Record<string, string>;
  _npmUser?: { name: string };
  dist: { tarball: string; integrity: string; shasum: string };
  [field: string]: unknown;
}

export interface Packument {
  _rev: string;
  'dist-tags': Record<string, string>;
  versions: Record<string, PackumentVersion>;
  time: Record<string, string>;
  maintainers: Maintainer[];
  [field: string]: unknown;
}

/** The name as npm puts it in a path: a scope's slash encoded. */
export const escaped = (name: string) => name.replace('/', '%2f');
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const json = { 'content-type': 'application/json' };
const ok = (res: LightMyRequestResponse) => res.statusCode >= 200 && res.statusCode < 300;

/** Publishes and throws unless the registry answered 201: for fixtures, not for publishes under test. */
export async function published(r: TestRegistry, user: TestUser, builder: PackageBuilder, tag?: string): Promise<void> {
  const res = await r.publish(user, builder, tag === undefined ? {} : { tag });
  if (res.statusCode !== 201) throw new Error(`publishing ${builder.name}@${builder.version}: ${res.statusCode} ${res.body}`);
}

/** The full document as npm reads it before a write (?write=true skips caches); throws unless 200. */
export async function packument(r: TestRegistry, name: string, token?: string): Promise<Packument> {
  const res = await readForWrite(r, name, token);
  if (res.statusCode !== 200) throw new Error(`GET /${escaped(name)}: ${res.statusCode} ${res.body}`);
  return res.json<Packument>();
}

function readForWrite(r: TestRegistry, name: string, token?: string, accept?: string) {
  const headers = { ...(token === undefined ? {} : bearer(token)), ...(accept === undefined ? {} : { accept }) };
  return r.inject({ method: 'GET', url: `/${escaped(name)}?write=true`, headers });
}

/** `npm deprecate`: read the whole document, edit it, PUT it all back to /name. */
export async function deprecate(r: TestRegistry, user: TestUser, name: string, edit: (doc: Packument) => void) {
  const read = await readForWrite(r, name, user.token);
  if (!ok(read)) return read;
  const doc = read.json<Packument>();
  edit(doc);
  return putDocument(r, user, name, doc);
}

/** A whole document PUT to /name, as npm deprecate sends it (also for sending a stale or forged one). */
export function putDocument(r: TestRegistry, user: TestUser, name: string, doc: unknown) {
  return r.inject({
    method: 'PUT',
    url: `/${escaped(name)}`,
    headers: { ...bearer(user.token), ...json },
    payload: JSON.stringify(doc),
  });
}

/** `npm owner add|rm`: read the document, PUT {_id, _rev, maintainers} to /name/-rev/REV. */
export async function changeOwners(r: TestRegistry, user: TestUser, name: string, edit: (maintainers: Maintainer[]) => void) {
  const read = await r.inject({ method: 'GET', url: `/${escaped(name)}`, headers: bearer(user.token) });
  if (!ok(read)) return read;
  const { _rev, maintainers } = read.json<Packument>();
  edit(maintainers);
  return r.inject({
    method: 'PUT',
    url: `/${escaped(name)}/-rev/${encodeURIComponent(_rev)}`,
    headers: { ...bearer(user.token), ...json },
    payload: JSON.stringify({ _id: name, _rev, maintainers }),
  });
}

/** `npm dist-tag add`: PUT the version as a JSON string. `path` overrides the encoded name. */
export function addDistTag(r: TestRegistry, user: TestUser, name: string, tag: string, version: string, path = escaped(name)) {
  return r.inject({
    method: 'PUT',
    url: `/-/package/${path}/dist-tags/${encodeURIComponent(tag)}`,
    headers: { ...bearer(user.token), ...json },
    payload: JSON.stringify(version),
  });
}

/** `npm dist-tag rm`. `path` overrides the encoded name. */
export function removeDistTag(r: TestRegistry, user: TestUser, name: string, tag: string, path = escaped(name)) {
  return r.inject({
    method: 'DELETE',
    url: `/-/package/${path}/dist-tags/${encodeURIComponent(tag)}`,
    headers: bearer(user.token),
  });
}

/**
 * `npm unpublish name@version` (libnpmpublish/lib/unpublish.js): read the document, PUT it back
 * without the version (tags re-pointed client-side), read it again, DELETE the tarball. Stops at
 * the first refusal, as npm does, and returns that response.
 */
export async function unpublishVersion(r: TestRegistry, token: string, name: string, version: string) {
  const headers = bearer(token);
  const corgi = await readForWrite(r, name, token, CORGI);
  if (!ok(corgi)) return corgi;
  const first = await readForWrite(r, name, token);
  if (!ok(first)) return first;
  const doc = first.json<Packument>();
  const tarball = doc.versions[version]!.dist.tarball;
  const { [version]: _removed, ...kept } = doc.versions;
  doc.versions = kept;
  doc['dist-tags'] = Object.fromEntries(Object.entries(doc['dist-tags']).filter(([, target]) => target !== version));
  const remaining = Object.keys(doc.versions).sort(semver.compareLoose);
  if (!doc['dist-tags'].latest && remaining.length > 0) doc['dist-tags'].latest = remaining.at(-1)!;
  delete doc._revisions;
  delete doc._attachments;
  const put = await r.inject({
    method: 'PUT',
    url: `/${escaped(name)}/-rev/${encodeURIComponent(doc._rev)}`,
    headers,
    payload: doc,
  });
  if (!ok(put)) return put;
  const second = await readForWrite(r, name, token);
  if (!ok(second)) return second;
  const path = new URL(tarball).pathname;
  return r.inject({ method: 'DELETE', url: `${path}/-rev/${encodeURIComponent(second.json<Packument>()._rev)}`, headers });
}

/** `npm unpublish name --force`: read the document for its rev, then DELETE the package at that rev. */
export async function unpublishPackage(r: TestRegistry, token: string, name: string) {
  const read = await readForWrite(r, name, token);
  if (!ok(read)) return read;
  const rev = read.json<Packument>()._rev;
  return r.inject({ method: 'DELETE', url: `/${escaped(name)}/-rev/${encodeURIComponent(rev)}`, headers: bearer(token) });
}
