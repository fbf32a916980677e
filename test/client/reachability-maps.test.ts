// Package `exports` / `imports` maps resolved by the rules Node documents, on the shapes packages
// publish: sugar forms, nested conditions in key order, `*` patterns (longest prefix wins), arrays
// of fallbacks and null exclusions. Pure: no files.
import { describe, expect, it } from 'vitest';
import { resolvePackageMap } from '../../src/client/reachability/package-maps.js';

const IMPORT = ['node', 'import', 'default'];
const REQUIRE = ['node', 'require', 'default'];

describe('resolvePackageMap', () => {
  it('reads the string, array and condition-object sugar as the "." subpath', () => {
    expect(resolvePackageMap('./main.js', '.', IMPORT)).toEqual(['./main.js']);
    expect(resolvePackageMap(['./a.js', './b.js'], '.', IMPORT)).toEqual(['./a.js', './b.js']);
    expect(resolvePackageMap({ import: './m.mjs', require: './c.cjs' }, '.', REQUIRE)).toEqual(['./c.cjs']);
    expect(resolvePackageMap('./main.js', './other', IMPORT)).toEqual([]);
  });

  it('walks conditions in the map’s own key order, nested, falling through to default', () => {
    const map = {
      '.': { browser: './b.js', node: { import: './n.mjs', require: './n.cjs' }, default: './d.js' },
      './only-browser': { browser: './ob.js' },
      './fallback': { deno: './deno.js', default: './fb.js' },
    };
    expect(resolvePackageMap(map, '.', IMPORT)).toEqual(['./n.mjs']);
    expect(resolvePackageMap(map, '.', REQUIRE)).toEqual(['./n.cjs']);
    expect(resolvePackageMap(map, '.', ['default'])).toEqual(['./d.js']);
    expect(resolvePackageMap(map, './only-browser', IMPORT)).toEqual([]);
    expect(resolvePackageMap(map, './fallback', IMPORT)).toEqual(['./fb.js']);
  });

  it('expands the * pattern with the longest prefix, and null excludes', () => {
    const map = {
      './features/*.js': './src/features/*.js',
      './features/private/*': null,
      './*': './dist/*.js',
    };
    expect(resolvePackageMap(map, './features/x.js', IMPORT)).toEqual(['./src/features/x.js']);
    expect(resolvePackageMap(map, './features/private/y', IMPORT)).toEqual([]);
    expect(resolvePackageMap(map, './util', IMPORT)).toEqual(['./dist/util.js']);
  });

  it('resolves #imports, whose targets may name another package', () => {
    const map = { '#internal/*': './lib/*.js', '#dep': { node: 'some-package', default: './polyfill.js' } };
    expect(resolvePackageMap(map, '#internal/a', IMPORT)).toEqual(['./lib/a.js']);
    expect(resolvePackageMap(map, '#dep', IMPORT)).toEqual(['some-package']);
    expect(resolvePackageMap(map, '#dep', ['default'])).toEqual(['./polyfill.js']);
    expect(resolvePackageMap(map, '#missing', IMPORT)).toEqual([]);
  });
});
