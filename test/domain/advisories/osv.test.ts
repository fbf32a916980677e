// OSV records read as npm reads advisories: ranges become `vulnerable_versions`, pnpm's
// `patched_versions` and the fixed list; severity comes from the CVSS base score; a malformed
// record is refused with the field that is wrong.
import { describe, expect, it } from 'vitest';
import { OsvRecordError, parseOsvRecord, type Advisory } from '../../../src/domain/advisories/osv.js';
import { baseScore } from '../../../src/domain/advisories/severity.js';
import { isAffected } from '../../../src/domain/advisories/ranges.js';
import { CVSS, osvRecord } from '../../fixtures/osv.js';

function advisory(record: unknown): Advisory {
  const parsed = parseOsvRecord(record);
  if (parsed.kind !== 'advisory') throw new Error('not an npm advisory');
  return parsed.advisory;
}

describe('OSV ranges', () => {
  it('turns introduced/fixed pairs into one npm range with the fixes between', () => {
    const a = advisory(
      osvRecord({
        id: 'GHSA-aaaa-bbbb-cccc',
        name: 'left',
        events: [{ introduced: '0' }, { fixed: '1.2.5' }, { introduced: '2.0.0' }, { fixed: '2.1.3' }],
      }),
    );
    expect(a.packages).toEqual([
      { name: 'left', range: '<1.2.5 || >=2.0.0 <2.1.3', patched: '>=1.2.5 <2.0.0 || >=2.1.3', fixed: ['1.2.5', '2.1.3'] },
    ]);
    expect(isAffected('1.2.4', a.packages[0]!.range)).toBe(true);
    expect(isAffected('2.1.0-beta.1', a.packages[0]!.range)).toBe(true);
    expect(isAffected('1.9.0', a.packages[0]!.range)).toBe(false);
    expect(isAffected('2.1.3', a.packages[0]!.range)).toBe(false);
  });

  it('reads events in any order, last_affected as an inclusive end and an open introduced as every later version', () => {
    const a = advisory(
      osvRecord({ id: 'GHSA-dddd-eeee-ffff', name: 'x', events: [{ last_affected: '1.4.0' }, { introduced: '1.0.0' }] }),
    );
    expect(a.packages[0]).toMatchObject({ range: '>=1.0.0 <=1.4.0', patched: '<0.0.0', fixed: [] });
    const open = advisory(osvRecord({ id: 'MAL-2026-1', name: 'evil', events: [{ introduced: '0' }] }));
    expect(open.packages[0]).toMatchObject({ range: '>=0.0.0', patched: '<0.0.0' });
    expect(isAffected('0.0.1-alpha', open.packages[0]!.range)).toBe(true);
  });

  it('adds listed versions the ranges do not already cover', () => {
    const a = advisory(
      osvRecord({
        id: 'GHSA-gggg-hhhh-iiii',
        name: 'y',
        events: [{ introduced: '0' }, { fixed: '1.0.0' }],
        versions: ['0.5.0', '3.1.4'],
      }),
    );
    expect(a.packages[0]!.range).toBe('<1.0.0 || 3.1.4');
    const listedOnly = advisory(osvRecord({ id: 'MAL-2026-2', name: 'z', versions: ['1.0.1', '1.0.0'] }));
    expect(listedOnly.packages[0]!.range).toBe('1.0.0 || 1.0.1');
  });

  it('says a record for another ecosystem is not an npm advisory', () => {
    const record = { ...osvRecord({ id: 'PYSEC-2026-1', name: 'django', events: [{ introduced: '0' }] }) };
    (record.affected as { package: { ecosystem: string } }[])[0]!.package.ecosystem = 'PyPI';
    expect(parseOsvRecord(record)).toEqual({ kind: 'other-ecosystem', id: 'PYSEC-2026-1' });
  });
});

describe('OSV severity', () => {
  it('bands the CVSS base score as npm does, v4 included', () => {
    expect(baseScore(CVSS.critical)).toBe(9.8);
    expect(baseScore(CVSS.v4critical)).toBe(9.3);
    const of = (cvss: string) =>
      advisory(osvRecord({ id: 'GHSA-jjjj-kkkk-llll', name: 'p', events: [{ introduced: '0' }], cvss })).severity;
    expect([of(CVSS.critical), of(CVSS.high), of(CVSS.moderate), of(CVSS.low), of(CVSS.v4critical)]).toEqual([
      'critical',
      'high',
      'moderate',
      'low',
      'critical',
    ]);
    expect(
      advisory(osvRecord({ id: 'GHSA-jjjj-kkkk-llll', name: 'p', events: [{ introduced: '0' }], cvss: CVSS.high })).cvss,
    ).toEqual({
      score: 7.5,
      vectorString: CVSS.high,
    });
  });

  it("falls back to the database's word, then to npm's default of high", () => {
    const word = advisory(
      osvRecord({ id: 'GHSA-mmmm-nnnn-oooo', name: 'p', events: [{ introduced: '0' }], databaseSeverity: 'MODERATE' }),
    );
    expect(word.severity).toBe('moderate');
    const broken = advisory(
      osvRecord({
        id: 'GHSA-mmmm-nnnn-oooo',
        name: 'p',
        events: [{ introduced: '0' }],
        cvss: 'CVSS:3.1/AV:Q',
        databaseSeverity: 'LOW',
      }),
    );
    expect(broken.severity).toBe('low');
    expect(advisory(osvRecord({ id: 'GHSA-mmmm-nnnn-oooo', name: 'p', events: [{ introduced: '0' }] })).severity).toBe('high');
  });
});

describe('malformed OSV records', () => {
  const cases: [string, unknown, RegExp][] = [
    ['not an object', [1, 2], /JSON object/],
    ['no id', { modified: '2026-01-01T00:00:00Z', affected: [] }, /"id"/],
    ['no modified', { id: 'GHSA-1', affected: [] }, /"modified"/],
    ['a bad time', { id: 'GHSA-1', modified: 'yesterday' }, /"modified"/],
    ['affected not a list', { id: 'GHSA-1', modified: '2026-01-01T00:00:00Z', affected: {} }, /"affected" must be a list/],
    [
      'a version that is not semver',
      osvRecord({ id: 'GHSA-2', name: 'a', events: [{ introduced: '0' }, { fixed: 'soon' }] }),
      /fixed is not a semver version/,
    ],
    [
      'an event with two keys',
      osvRecord({ id: 'GHSA-3', name: 'a', events: [{ introduced: '0', fixed: '1.0.0' }] }),
      /exactly one/,
    ],
    ['no affected versions at all', osvRecord({ id: 'GHSA-4', name: 'a' }), /no npm version is affected/],
  ];
  for (const [what, record, reason] of cases) {
    it(`refuses ${what}`, () => {
      expect(() => parseOsvRecord(record)).toThrow(OsvRecordError);
      expect(() => parseOsvRecord(record)).toThrow(reason);
    });
  }
});
