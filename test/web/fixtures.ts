// Puts packages into a test registry the way npm does (publish, deprecate, owner add, unpublish),
// so web UI tests can look at the pages a user would see for them.
import { expect } from 'vitest';
import type { TestRegistry, TestUser } from '../support/registry.js';
import type { PackageBuilder, PublishOptions } from '../fixtures/package-builder.js';
import { CSP } from '../../src/http/web/html.js';

function escaped(name: string): string {
  return name.replace('/', '%2f');
}

function auth(user: TestUser) {
  return { authorization: `Bearer ${user.token}` };
}

export async function publish(r: TestRegistry, user: TestUser, pkg: PackageBuilder, options: PublishOptions = {}): Promise<void> {
  const res = await r.publish(user, pkg, options);
  expect(res.statusCode, res.body).toBe(201);
}

/** `npm deprecate`: GET the packument, set the message, PUT the whole document back. */
export async function deprecate(r: TestRegistry, user: TestUser, name: string, version: string, message: string): Promise<void> {
  const doc = (await r.inject({ method: 'GET', url: `/${escaped(name)}?write=true`, headers: auth(user) })).json();
  doc.versions[version].deprecated = message;
  const res = await r.inject({ method: 'PUT', url: `/${escaped(name)}`, headers: auth(user), payload: doc });
  expect(res.statusCode, res.body).toBe(200);
}

/** `npm owner add`: PUT the new maintainer list at the document's rev. */
export async function addOwner(r: TestRegistry, user: TestUser, name: string, newOwner: string): Promise<void> {
  const doc = (await r.inject({ method: 'GET', url: `/${escaped(name)}?write=true`, headers: auth(user) })).json();
  const maintainers = [...doc.maintainers, { name: newOwner, email: `${newOwner}@example.com` }];
  const res = await r.inject({
    method: 'PUT',
    url: `/${escaped(name)}/-rev/${doc._rev}`,
    headers: auth(user),
    payload: { _id: name, _rev: doc._rev, maintainers },
  });
  expect(res.statusCode, res.body).toBe(200);
}

export async function unpublishVersion(r: TestRegistry, user: TestUser, name: string, version: string): Promise<void> {
  const file = `${name.replace(/^@[^/]+\//, '')}-${version}.tgz`;
  const res = await r.inject({ method: 'DELETE', url: `/${escaped(name)}/-/${file}`, headers: auth(user) });
  expect(res.statusCode, res.body).toBe(200);
}

/** `npm unpublish <name> --force`: read the document's rev, then DELETE at it. */
export async function unpublishPackage(r: TestRegistry, user: TestUser, name: string): Promise<void> {
  const doc = (await r.inject({ method: 'GET', url: `/${escaped(name)}?write=true`, headers: auth(user) })).json();
  const res = await r.inject({ method: 'DELETE', url: `/${escaped(name)}/-rev/${doc._rev}`, headers: auth(user) });
  expect(res.statusCode, res.body).toBe(200);
}

/** GET as a browser asks for a page. */
export function getPage(r: TestRegistry, url: string) {
  return r.inject({ method: 'GET', url, headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
}

/**
 * A page's own markup: every `<` in text content is escaped by html``, so each `<` left in the
 * body starts a real tag, and these patterns cannot be fooled by text that mentions them.
 */
export function assertStrictPage(res: { statusCode: number; headers: Record<string, unknown>; body: string }): void {
  expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
  expect(res.headers['content-security-policy']).toBe(CSP);
  // Scripts only as our own files (the WebAuthn ceremony), empty, from /static/: never inline.
  const ownScripts = /<script src="\/static\/[a-z0-9.-]+\.js" defer><\/script>/g;
  expect(res.body.replace(ownScripts, '')).not.toMatch(/<script\b/i);
  expect(res.body).not.toMatch(/<[a-z][^>]*\sstyle\s*=/i);
  expect(res.body).not.toMatch(/<[a-z][^>]*\son[a-z]+\s*=/i);
  expect(res.body).not.toMatch(/javascript:/i);
}

/** What a reader sees of some markup: tags dropped, entities decoded, whitespace collapsed. */
export function visibleText(markup: string): string {
  const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" };
  return markup
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => entities[e]!)
    .replace(/\s+/g, ' ')
    .replace(/ ([.,;:)])/g, '$1')
    .trim();
}

/** The markup of the first element that opens with `opening` (e.g. '<aside class="facts"'), up to `</tag>`. */
export function element(markup: string, opening: string): string {
  const start = markup.indexOf(opening);
  expect(start, `${opening} is on the page`).toBeGreaterThanOrEqual(0);
  const tag = /^<([a-z0-9]+)/.exec(opening)![1]!;
  return markup.slice(start, markup.indexOf(`</${tag}>`, start) + tag.length + 3);
}
