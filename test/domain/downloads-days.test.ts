// Periods as npm's downloads API names them, in UTC, parsed without storage.
import { describe, expect, it } from 'vitest';
import { daysOf, parsePeriod, type Day } from '../../src/domain/downloads/days.js';
import { isGatehouseError } from '../../src/domain/errors.js';

const today = '2026-03-01' as Day;

function refusal(text: string, maxDays?: number): string | undefined {
  try {
    parsePeriod(text, today, maxDays);
    return undefined;
  } catch (err) {
    return isGatehouseError(err) ? err.code : 'not a catalog error';
  }
}

describe('download periods', () => {
  it('ends the named periods yesterday, across month ends and leap days', () => {
    expect(parsePeriod('last-day', today)).toEqual({ start: '2026-02-28', end: '2026-02-28' });
    expect(parsePeriod('last-week', today)).toEqual({ start: '2026-02-22', end: '2026-02-28' });
    expect(parsePeriod('last-month', today)).toEqual({ start: '2026-01-30', end: '2026-02-28' });
    expect(parsePeriod('last-day', '2028-03-01' as Day)).toEqual({ start: '2028-02-29', end: '2028-02-29' });
  });

  it('takes a day or an inclusive range of days', () => {
    expect(parsePeriod('2025-12-31', today)).toEqual({ start: '2025-12-31', end: '2025-12-31' });
    const period = parsePeriod('2025-12-30:2026-01-02', today);
    expect(daysOf(period)).toEqual(['2025-12-30', '2025-12-31', '2026-01-01', '2026-01-02']);
  });

  it('caps a range at 18 months, or at what the caller allows', () => {
    expect(refusal('2024-09-01:2026-03-01')).toBeUndefined();
    expect(refusal('2024-08-01:2026-03-01')).toBe('BadRequest');
    expect(refusal('2025-01-01:2025-12-31', 365)).toBeUndefined();
    expect(refusal('2025-01-01:2026-01-01', 365)).toBe('BadRequest');
  });

  it('refuses what is not a period', () => {
    for (const text of [
      '',
      'last-year',
      'toString',
      '__proto__',
      '2026-02-29',
      '2026-13-01',
      '20260101',
      '2026-01-02:2026-01-01',
      'a:b:c',
      '2026-01-01:',
    ]) {
      expect({ text, code: refusal(text) }).toEqual({ text, code: 'BadRequest' });
    }
  });
});
