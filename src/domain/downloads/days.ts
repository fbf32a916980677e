// UTC days and the periods npm's downloads API names (`last-day`, `last-week`, `last-month`,
// `2025-01-01:2025-01-31`). Pure: no storage, no HTTP. A named period ends yesterday, the last
// complete day, as on npm; an explicit range may include today, whose count is still growing.
import { fail } from '../errors.js';

/** `YYYY-MM-DD`, a UTC calendar day. */
export type Day = string & { readonly brand: 'Day' };

export interface Period {
  start: Day;
  end: Day;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** npm's limit for one query: 18 months. */
export const MAX_PERIOD_DAYS = 549;
const NAMED: Record<string, number> = { 'last-day': 1, 'last-week': 7, 'last-month': 30 };

export function dayOf(ms: number): Day {
  return new Date(ms).toISOString().slice(0, 10) as Day;
}

export function startOfDay(day: Day): number {
  return Date.parse(`${day}T00:00:00.000Z`);
}

export function addDays(day: Day, n: number): Day {
  return dayOf(startOfDay(day) + n * DAY_MS);
}

/** Every day from start to end, both included. */
export function daysOf(period: Period): Day[] {
  const days: Day[] = [];
  for (let day = period.start; day <= period.end; day = addDays(day, 1)) days.push(day);
  return days;
}

export function periodLength(period: Period): number {
  return Math.round((startOfDay(period.end) - startOfDay(period.start)) / DAY_MS) + 1;
}

/** The `days` complete days before `today`. */
export function lastDays(today: Day, days: number): Period {
  return { start: addDays(today, -days), end: addDays(today, -1) };
}

// attacker-controlled: the period segment of /-/downloads/{point|range}/{period}/{package}
export function parsePeriod(text: string, today: Day, maxDays = MAX_PERIOD_DAYS): Period {
  const named = NAMED[text];
  if (Object.hasOwn(NAMED, text) && named !== undefined) return lastDays(today, named);
  const parts = text.split(':');
  if (parts.length > 2) badPeriod(text);
  const start = parseDay(parts[0]!, text);
  const end = parts.length === 2 ? parseDay(parts[1]!, text) : start;
  if (end < start) fail('BadRequest', `The period ${text} ends before it starts; write it as start:end.`);
  const period = { start, end };
  if (periodLength(period) > maxDays) {
    fail('BadRequest', `The period ${text} is longer than ${maxDays} days, the most one query may ask for. Split it.`);
  }
  return period;
}

function parseDay(text: string, period: string): Day {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) badPeriod(period);
  const ms = startOfDay(text as Day);
  // Date.parse accepts 2025-02-30 as March 2nd; a real date survives the round trip.
  if (Number.isNaN(ms) || dayOf(ms) !== text) fail('BadRequest', `${text} is not a calendar date.`);
  return text as Day;
}

function badPeriod(text: string): never {
  const shown = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  fail(
    'BadRequest',
    `"${shown.replace(/[^\x20-\x7e]/g, '?')}" is not a period. Use last-day, last-week, last-month, YYYY-MM-DD or YYYY-MM-DD:YYYY-MM-DD (UTC).`,
  );
}
