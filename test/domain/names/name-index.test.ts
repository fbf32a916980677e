// The look-alike matcher against the bundled top-10,000 list: a typosquat of every technique is
// caught, and a real neighbour that npm holds beside it (react-dom, preact, js-yaml…) is not.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NameIndex } from '../../../src/domain/names/name-index.js';
import { parseProtectedList, ProtectedListError } from '../../../src/domain/names/protected-list.js';
import { skeletonOf } from '../../../src/domain/names/skeleton.js';

const LIST = parseProtectedList(readFileSync(new URL('../../../data/npm-top-10000.tsv', import.meta.url), 'utf8'), 'bundled');
const index = new NameIndex(LIST);

describe('typosquats are found, with the technique and the name they imitate', () => {
  const cases: [string, string, string][] = [
    ['case', 'React', 'react'],
    ['separator', 'crossenv', 'cross-env'],
    ['separator', 'lo_dash', 'lodash'],
    ['homoglyph', 'l\u043edash', 'lodash'], // Cyrillic о
    ['homoglyph', 'expréss', 'express'],
    ['confusable', 'l0dash', 'lodash'],
    ['confusable', '1odash', 'lodash'],
    ['confusable', 'rnongoose', 'mongoose'],
    ['omission', 'mongose', 'mongoose'],
    ['omission', 'lodsh', 'lodash'],
    ['repetition', 'expresss', 'express'],
    ['repetition', 'lodassh', 'lodash'],
    ['transposition', 'electorn', 'electron'],
    ['transposition', 'lodahs', 'lodash'],
    ['substitution', 'axioz', 'axios'],
    ['substitution', 'webpeck', 'webpack'],
    ['scope', 'types-node', '@types/node'],
    ['scope', '@types-node', '@types/node'],
    ['scope', '@typess/node', '@types/node'],
    ['scope', 'angular-core', '@angular/core'],
    ['affix', 'lodash-js', 'lodash'],
    ['affix', 'lodash.js', 'lodash'],
    ['affix', 'lodashjs', 'lodash'],
    ['affix', 'node-lodash', 'lodash'],
    ['affix', 'express-cli', 'express'],
    ['reordering', 'parser-yargs', 'yargs-parser'],
    ['reordering', 'inside-path-is', 'path-is-inside'],
    ['suspicious-word', 'lodash-security', 'lodash'],
    ['suspicious-word', 'official-react', 'react'],
    ['suspicious-word', 'express-patched', 'express'],
  ];
  for (const [technique, candidate, target] of cases) {
    it(`${technique}: ${candidate} imitates ${target}`, () => {
      const hit = index.allSimilarTo(candidate).find((h) => h.name === target);
      expect(hit?.technique).toBe(technique);
      expect(index.similarTo(candidate)).toBeDefined();
    });
  }
});

describe('legitimate neighbours are not flagged', () => {
  // Each of these sits on npm beside the name it resembles, with other owners; none is a squat.
  const neighbours: [string, string][] = [
    ['react-dom', 'react-dnd'], // two letters apart
    ['react-dnd', 'react-dom'],
    ['preact', 'react'], // a letter before the name
    ['colors', 'color'], // a plural
    ['tslint', 'eslint'], // another first letter
    ['set-proto', 'get-proto'],
    ['https-proxy-agent', 'http-proxy-agent'], // a letter at a word's end
    ['eslint-plugin-import-x', 'eslint-plugin-import'], // a letter that is a word
    ['js-yaml', 'yaml'], // an affix on a short, common word
    ['@types/react', 'react'], // the scope of a popular name
    ['@babel/core', 'babel-core'], // a scoped name is its org's
    ['@jest/types', '@types/jest'], // scoped words in another order
    ['safe-buffer', 'buffer'], // "safe" is a word of real names, not a lure
    ['h3', 'he'], // look-alike letters among very short names
    ['semver', 'semver'], // a protected name is not its own look-alike
  ];
  for (const [candidate, neighbour] of neighbours) {
    it(`${candidate} is not taken for ${neighbour}`, () => {
      expect(index.allSimilarTo(candidate).map((h) => h.name)).not.toContain(neighbour);
    });
  }

  it('names a version digit apart are different packages', () => {
    const small = new NameIndex([{ name: 'babel-preset-es2015', downloads: 1000 }]);
    expect(small.similarTo('babel-preset-es2016')).toBeUndefined();
  });

  it('neighbours in one scope are that org’s own business', () => {
    const small = new NameIndex([{ name: '@acme/widgets', downloads: 1000 }]);
    expect(small.similarTo('@acme/widget5')).toBeUndefined();
    expect(small.similarTo('@acne/widgets')?.technique).toBe('scope');
  });

  it('new names with nothing like them pass', () => {
    for (const name of ['gatehouse-fixture-left', 'acme-billing-client', '@acme/ledger', 'zzq-unrelated']) {
      expect(index.similarTo(name)).toBeUndefined();
    }
  });
});

describe('the most downloaded look-alike is the one named', () => {
  it('prefers the more popular of two names', () => {
    const small = new NameIndex([
      { name: 'widgetz', downloads: 10 },
      { name: 'widgets', downloads: 5000 },
    ]);
    expect(small.similarTo('widgetts')?.name).toBe('widgets');
  });
});

describe('skeletons', () => {
  it('fold case, separators, homoglyphs and look-alike letters together', () => {
    expect(skeletonOf('Lo_Dash')).toBe(skeletonOf('lodash'));
    expect(skeletonOf('rnocha')).toBe(skeletonOf('mocha'));
    expect(skeletonOf('\u0435\u0445\u0440ress')).toBe(skeletonOf('express')); // Cyrillic е, х, р
    expect(skeletonOf('l0da5h')).toBe(skeletonOf('lodash'));
  });
});

describe('the protected-names file', () => {
  it('reads name<TAB>downloads with a header row', () => {
    expect(parseProtectedList('name\tdownloads_a_month\nacme\t12\n\n', 'f')).toEqual([{ name: 'acme', downloads: 12 }]);
    expect(LIST).toHaveLength(10000);
  });

  it('refuses a file without the header, or a malformed line, naming the line', () => {
    expect(() => parseProtectedList('acme\t12\n', 'f')).toThrow(ProtectedListError);
    expect(() => parseProtectedList('name\tdownloads_a_month\nacme\ttwelve\n', 'f')).toThrow(/line 2/);
  });
});
