// Seeded mutation of OSV records and audit bodies: whatever the bytes, the OSV parser either reads
// a record or throws OsvRecordError, and the audit body readers either answer or throw the
// catalog's AuditRequestInvalid, never a TypeError. The seed is printed so a failure replays.
import { describe, expect, it } from 'vitest';
import { OsvRecordError, parseOsvRecord } from '../../../src/domain/advisories/osv.js';
import { bulkAnswer, parseBulkRequest, quickAnswer, treeNodes } from '../../../src/domain/advisories/npm-audit.js';
import { isGatehouseError } from '../../../src/domain/errors.js';
import { seeded } from '../../support/seeded.js';
import { CVSS, osvRecord } from '../../fixtures/osv.js';

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
const ODD: unknown[] = [
  null,
  0,
  -1,
  1.5,
  '',
  '0',
  '*',
  'x',
  '1.0.0',
  'CVSS:3.1/AV:N',
  [],
  {},
  [null],
  { introduced: '0' },
  true,
  '__proto__',
  'constructor',
];

function mutate(value: unknown, random: () => number, depth = 0): unknown {
  const pick = () => ODD[Math.floor(random() * ODD.length)];
  if (random() < 0.15) return pick();
  if (Array.isArray(value)) {
    const out = value.map((v) => mutate(v, random, depth + 1));
    if (random() < 0.2) out.push(pick());
    return out;
  }
  if (typeof value === 'object' && value !== null && depth < 8) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (random() > 0.1) out[k] = mutate(v, random, depth + 1);
    return out;
  }
  return value;
}

describe(`advisory parsers under mutation (seed ${SEED})`, () => {
  const random = seeded(SEED);
  const base = osvRecord({
    id: 'GHSA-f1zz-f1zz-f1zz',
    name: 'fuzzed',
    events: [{ introduced: '1.0.0' }, { fixed: '1.2.0' }, { introduced: '2.0.0' }, { last_affected: '2.4.1' }],
    versions: ['0.9.0'],
    cvss: CVSS.high,
  });

  it('the OSV parser reads or refuses every mutated record', () => {
    for (let i = 0; i < 3000; i++) {
      const record = mutate(base, random);
      try {
        const parsed = parseOsvRecord(record);
        if (parsed.kind === 'advisory') for (const p of parsed.advisory.packages) expect(typeof p.range).toBe('string');
      } catch (err) {
        if (!(err instanceof OsvRecordError))
          throw new Error(`seed ${SEED}, case ${i}: ${String(err)}\n${JSON.stringify(record)}`);
      }
    }
  });

  it('the audit body readers answer or refuse with AuditRequestInvalid', () => {
    const bulk = { fuzzed: ['1.1.0', '2.0.0'], other: ['1.0.0'] };
    const tree = {
      dependencies: {
        '.': { version: '0.0.0', dependencies: { fuzzed: { version: '1.1.0', dependencies: { a: { version: '1.0.0' } } } } },
      },
    };
    for (let i = 0; i < 3000; i++) {
      const body = mutate(i % 2 ? bulk : tree, random);
      try {
        if (i % 2) bulkAnswer(parseBulkRequest(body), []);
        else quickAnswer(treeNodes(body), []);
      } catch (err) {
        if (!isGatehouseError(err) || err.code !== 'AuditRequestInvalid')
          throw new Error(`seed ${SEED}, case ${i}: ${String(err)}\n${JSON.stringify(body)}`);
      }
    }
  });
});
