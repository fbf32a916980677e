// The canonical event encoding will be the transparency log's leaf: equal events must give the
// same bytes whatever their key order, and the bytes must never change between releases.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, encodeEvent } from '../../../src/domain/events/encoding.js';
import type { RegistryEvent } from '../../../src/domain/events/store.js';

const published: RegistryEvent = {
  seq: 42,
  type: 'package.published',
  actor: { kind: 'user', userId: 7 },
  packageName: '@acme/wïdget',
  version: '1.2.3',
  data: { tag: 'latest', integrity: 'sha512-AAAA', size: 1024, legacyName: ['name can no longer contain capital letters'] },
  createdAt: '2026-01-02T03:04:05.678Z',
};

describe('canonical event encoding', () => {
  it('encodes equal events identically whatever the key order', () => {
    const reordered = {
      createdAt: published.createdAt,
      data: { legacyName: ['name can no longer contain capital letters'], size: 1024, integrity: 'sha512-AAAA', tag: 'latest' },
      version: published.version,
      packageName: published.packageName,
      actor: { userId: 7, kind: 'user' },
      type: published.type,
      seq: published.seq,
    } as RegistryEvent;
    expect(encodeEvent(reordered).equals(encodeEvent(published))).toBe(true);
    expect(canonicalJson({ b: { y: 1, x: [2, { d: 1, c: 0 }] }, a: null })).toBe('{"a":null,"b":{"x":[2,{"c":0,"d":1}],"y":1}}');
  });

  it('is a fixed byte string (a change here breaks every log built before it)', () => {
    const bytes = encodeEvent(published);
    expect(bytes.toString('utf8')).toBe(
      '{"actor":{"kind":"user","userId":7},"createdAt":"2026-01-02T03:04:05.678Z","data":{"integrity":"sha512-AAAA",' +
        '"legacyName":["name can no longer contain capital letters"],"size":1024,"tag":"latest"},' +
        '"packageName":"@acme/wïdget","seq":42,"type":"package.published","version":"1.2.3"}',
    );
    // The ï is its two UTF-8 bytes, not a \u escape; the digest pins every byte.
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(
      '25f02cd0cdff3ea1b21dc1ace108620b5e16d32e66c93d0aa09cf33fbcf10f33',
    );
    expect(bytes.includes(Buffer.from([0xc3, 0xaf]))).toBe(true);
  });

  it('writes absent subject fields as null and leaves out undefined members, as storage does', () => {
    const login: RegistryEvent = {
      seq: 1,
      type: 'user.login',
      actor: { kind: 'system' },
      packageName: null,
      version: null,
      data: { method: 'web' },
      createdAt: '2026-01-01T00:00:00.000Z',
    };
    expect(encodeEvent(login).toString()).toBe(
      '{"actor":{"kind":"system"},"createdAt":"2026-01-01T00:00:00.000Z","data":{"method":"web"},"packageName":null,"seq":1,"type":"user.login","version":null}',
    );
    expect(canonicalJson({ a: 1, b: undefined })).toBe(canonicalJson(JSON.parse(JSON.stringify({ a: 1, b: undefined }))));
  });

  it('sorts keys by UTF-16 code units and escapes strings as JSON does', () => {
    // RFC 8785 §3.2.3: "😀" (U+1F600, UTF-16 D83D DE00) sorts before "｡" (U+FF61) though its code point is
    // higher; uppercase before lowercase; the empty key first.
    expect(canonicalJson({ '｡': 1, '😀': 2, b: 3, B: 4, '': 5 })).toBe('{"":5,"B":4,"b":3,"😀":2,"｡":1}');
    expect(canonicalJson('line\nquote" \u0001')).toBe('"line\\nquote\\" \\u0001"');
    expect(canonicalJson(-0)).toBe('0');
  });

  it('refuses values with no canonical form instead of guessing', () => {
    for (const bad of [1.5, NaN, Infinity, 2 ** 53, 10n, '\ud800', [undefined], new Date(0), Buffer.from('x'), () => 1]) {
      expect(() => canonicalJson({ data: bad })).toThrow(TypeError);
    }
  });
});
