// OSV `affected[]` ranges for one npm package turned into the semver strings npm and pnpm read:
// `vulnerable_versions` (">=2.0.0 <2.1.3 || 1.0.0") and pnpm's `patched_versions`, plus the list
// of fixed versions. Pure: no storage, no HTTP. Versions are tested as npm tests them
// (@npmcli/metavuln-calculator: includePrerelease and loose), or a prerelease of a vulnerable
// line would slip through.
import semver from 'semver';

export const SEMVER_OPTIONS = { includePrerelease: true, loose: true } as const;

/** One OSV range event, as in the schema: exactly one of these keys is set. */
export interface RangeEvent {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
  limit?: string;
}

/** A stretch of affected versions: from `from` (inclusive; none = every earlier version) up to `to`. */
interface Interval {
  from?: string;
  to?: string;
  /** true for `last_affected` (`<=`), false for `fixed` (`<`). */
  toInclusive: boolean;
}

export interface AffectedVersions {
  /** The union npm's `vulnerable_versions` carries; never empty for a record that affects something. */
  range: string;
  /** pnpm's `patched_versions`: the versions from each fix up to the next affected stretch; `<0.0.0` when none is fixed. */
  patched: string;
  /** Every `fixed` version, lowest first. */
  fixed: string[];
}

/** OSV allows "0" for "every version from the first"; anything else must be a semver version. */
function introducedFrom(value: string): string | undefined {
  return value === '0' ? undefined : value;
}

/**
 * The affected stretches of one range's events. The OSV schema defines them by sorting the events
 * by version and walking: `introduced` opens a stretch, `fixed` or `last_affected` closes it.
 */
export function intervalsOf(events: RangeEvent[]): Interval[] {
  const keyed = events
    .filter((e) => e.limit === undefined)
    .map((e) => ({ event: e, at: e.introduced ?? e.fixed ?? e.last_affected ?? '' }));
  const rank = (at: string) => (at === '0' ? '0.0.0-0' : at);
  keyed.sort((a, b) => semver.compare(rank(a.at), rank(b.at), SEMVER_OPTIONS));
  const out: Interval[] = [];
  let open: { from?: string } | undefined;
  for (const { event } of keyed) {
    if (event.introduced !== undefined) {
      if (!open) open = { from: introducedFrom(event.introduced) };
    } else if (open) {
      const inclusive = event.last_affected !== undefined;
      out.push({ from: open.from, to: inclusive ? event.last_affected : event.fixed, toInclusive: inclusive });
      open = undefined;
    }
  }
  if (open) out.push({ from: open.from, toInclusive: false });
  return out;
}

function intervalRange(i: Interval): string {
  const lower = i.from === undefined ? undefined : `>=${i.from}`;
  const upper = i.to === undefined ? undefined : `${i.toInclusive ? '<=' : '<'}${i.to}`;
  if (!lower && !upper) return '>=0.0.0';
  return [lower, upper].filter(Boolean).join(' ');
}

function lowerOf(i: Interval): string {
  return i.from ?? '0.0.0-0';
}

/** The stretches and listed versions of every range naming the package, as npm's and pnpm's strings. */
export function affectedVersions(intervals: Interval[], listed: string[]): AffectedVersions {
  const sorted = [...intervals].sort((a, b) => semver.compare(lowerOf(a), lowerOf(b), SEMVER_OPTIONS));
  const covered = (v: string) => sorted.some((i) => semver.satisfies(v, intervalRange(i), SEMVER_OPTIONS));
  const exact = [...new Set(listed)].filter((v) => !covered(v)).sort((a, b) => semver.compare(a, b, SEMVER_OPTIONS));
  const parts = [...sorted.map(intervalRange), ...exact];
  const fixed = sorted
    .filter((i) => i.to !== undefined && !i.toInclusive)
    .map((i) => i.to as string)
    .sort((a, b) => semver.compare(a, b, SEMVER_OPTIONS));
  return { range: parts.join(' || '), patched: patchedRange(sorted), fixed: [...new Set(fixed)] };
}

/** From each `fixed` up to the next affected stretch that starts after it. */
function patchedRange(sorted: Interval[]): string {
  const gaps: string[] = [];
  for (const i of sorted) {
    if (i.to === undefined || i.toInclusive) continue;
    const fix = i.to;
    const next = sorted.find((n) => n.from !== undefined && semver.gte(n.from, fix, SEMVER_OPTIONS));
    if (next?.from === undefined) gaps.push(`>=${fix}`);
    else if (semver.gt(next.from, fix, SEMVER_OPTIONS)) gaps.push(`>=${fix} <${next.from}`);
  }
  return gaps.length > 0 ? gaps.join(' || ') : '<0.0.0';
}

/** Whether `version` is in `range` as npm decides it. An unparsable version is never affected. */
export function isAffected(version: string, range: string): boolean {
  if (!semver.valid(version, SEMVER_OPTIONS)) return false;
  return semver.satisfies(version, range, SEMVER_OPTIONS);
}

/** The lowest fixed version above `version`, if any: what the page says to upgrade to. */
export function fixFor(version: string, fixed: string[]): string | undefined {
  return fixed.find((f) => semver.gt(f, version, SEMVER_OPTIONS));
}
