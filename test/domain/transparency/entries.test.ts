// Leaf entries and the lockfile reader of `gatehouse verify`: an event too large for an entry
// bundle is still bound by a digest of its data; only versions resolved from the registry, with a
// sha512, are looked up, from lockfile v1, v2 and v3 alike.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { leafEntry } from '../../../src/domain/transparency/entries.js';
import { lockedVersions } from '../../../src/domain/transparency/lockfile.js';
import { canonicalJson, encodeEvent } from '../../../src/domain/events/encoding.js';
import type { RegistryEvent } from '../../../src/domain/events/store.js';

const event = (message: string): RegistryEvent => ({
  seq: 7,
  type: 'version.deprecated',
  actor: { kind: 'system' },
  packageName: 'left-pad',
  version: '1.0.0',
  data: { message },
  createdAt: '2026-01-01T00:00:00.000Z',
});

describe('transparency log entries', () => {
  it('is the canonical encoding of the event', () => {
    expect(leafEntry(event('use 2')).equals(encodeEvent(event('use 2')))).toBe(true);
  });

  it('binds an event too large for an entry bundle by the SHA-256 of its data', () => {
    const big = event('x'.repeat(70_000));
    const entry = leafEntry(big);
    expect(entry.length).toBeLessThan(65_536);
    const parsed = JSON.parse(entry.toString('utf8')) as { seq: number; data: { dataSha256: string } };
    expect(parsed.seq).toBe(7);
    expect(parsed.data.dataSha256).toBe(createHash('sha256').update(canonicalJson(big.data)).digest('hex'));
  });
});

describe('the versions a lockfile pins from a registry', () => {
  const registry = 'http://registry.test';
  const sha512 = `sha512-${Buffer.alloc(64, 1).toString('base64')}`;

  it('reads lockfile v2/v3 packages, skipping the root, links, other registries and entries without a sha512', () => {
    const lock = {
      lockfileVersion: 3,
      packages: {
        '': { name: 'app', version: '1.0.0' },
        'node_modules/a': { version: '1.0.0', resolved: `${registry}/a/-/a-1.0.0.tgz`, integrity: `sha1-abc ${sha512}` },
        'node_modules/a/node_modules/@s/b': { version: '2.0.0', resolved: `${registry}/@s/b/-/b-2.0.0.tgz`, integrity: sha512 },
        'node_modules/alias': {
          name: 'real',
          version: '3.0.0',
          resolved: `${registry}/real/-/real-3.0.0.tgz`,
          integrity: sha512,
        },
        'node_modules/c': { version: '1.0.0', resolved: 'https://registry.npmjs.org/c/-/c-1.0.0.tgz', integrity: sha512 },
        'node_modules/d': { version: '1.0.0', resolved: `${registry}/d/-/d-1.0.0.tgz`, integrity: 'sha1-abc' },
        'node_modules/e': { link: true, resolved: 'packages/e' },
        'node_modules/evil': { version: '1.0.0', resolved: `${registry}.attacker.example/evil.tgz`, integrity: sha512 },
      },
    };
    expect(lockedVersions(lock, `${registry}/`)).toEqual([
      { name: '@s/b', version: '2.0.0', integrity: sha512 },
      { name: 'a', version: '1.0.0', integrity: sha512 },
      { name: 'real', version: '3.0.0', integrity: sha512 },
    ]);
  });

  it('reads lockfile v1 dependencies, nested ones included, and nothing from a malformed file', () => {
    const lock = {
      lockfileVersion: 1,
      dependencies: {
        a: {
          version: '1.0.0',
          resolved: `${registry}/a/-/a-1.0.0.tgz`,
          integrity: sha512,
          dependencies: { b: { version: '2.0.0', resolved: `${registry}/b/-/b-2.0.0.tgz`, integrity: sha512 } },
        },
      },
    };
    expect(lockedVersions(lock, registry).map((v) => `${v.name}@${v.version}`)).toEqual(['a@1.0.0', 'b@2.0.0']);
    for (const bad of [null, 'text', [], { packages: 'x' }, { packages: { 'node_modules/a': null } }]) {
      expect(lockedVersions(bad, registry)).toEqual([]);
    }
  });
});
