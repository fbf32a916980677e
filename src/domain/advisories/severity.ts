// npm's severity words from an OSV record: the CVSS base score of its vector (v3.0, v3.1 or v4.0,
// scored by ae-cvss-calculator, which implements FIRST's specifications including v4's macro
// vectors), banded as GitHub and npm band it; else the GHSA database's own word; else `high`,
// which is what npm itself assumes for an advisory without one. Never `info`: pnpm 10 has no
// colour for it and crashes printing it.
import cvss from 'ae-cvss-calculator';

export type Severity = 'low' | 'moderate' | 'high' | 'critical';
export const SEVERITIES: readonly Severity[] = ['low', 'moderate', 'high', 'critical'];

export interface Cvss {
  score: number;
  vectorString: string;
}

export interface Scored {
  severity: Severity;
  cvss?: Cvss;
  /** How the severity was found, for the import's report. */
  from: 'cvss' | 'database_specific' | 'default';
}

/** CVSS v3 / v4 qualitative bands (FIRST); "medium" is npm's "moderate", and "none" (0.0) counts as low. */
export function severityOfScore(score: number): Severity {
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'moderate';
  return 'low';
}

/** The base score of a CVSS v3.x or v4.0 vector, or undefined when the vector is not a complete one. */
export function baseScore(vector: string): number | undefined {
  try {
    // attacker-controlled text: the library throws on unknown metrics, so it is caught here
    const parsed = vector.startsWith('CVSS:4.0/')
      ? new cvss.Cvss4P0(vector)
      : vector.startsWith('CVSS:3.1/')
        ? new cvss.Cvss3P1(vector)
        : vector.startsWith('CVSS:3.0/')
          ? new cvss.Cvss3P0(vector)
          : undefined;
    if (!parsed || !parsed.isBaseFullyDefined()) return undefined;
    const score = parsed.calculateScores().base;
    return typeof score === 'number' && Number.isFinite(score) ? score : undefined;
  } catch {
    return undefined;
  }
}

const DATABASE_WORDS: Record<string, Severity> = {
  low: 'low',
  moderate: 'moderate',
  medium: 'moderate',
  high: 'high',
  critical: 'critical',
};

/** `severity` is the OSV record's list; `databaseWord` its `database_specific.severity` (GHSA sets one). */
export function scoreRecord(severity: { type?: unknown; score?: unknown }[], databaseWord: unknown): Scored {
  // Prefer the newest standard the record carries: v4 over v3.
  const vectors = severity
    .filter((s) => typeof s.score === 'string' && (s.type === 'CVSS_V4' || s.type === 'CVSS_V3'))
    .sort((a, b) => (a.type === b.type ? 0 : a.type === 'CVSS_V4' ? -1 : 1));
  for (const entry of vectors) {
    const vectorString = entry.score as string;
    const score = baseScore(vectorString);
    if (score !== undefined) return { severity: severityOfScore(score), cvss: { score, vectorString }, from: 'cvss' };
  }
  const word = typeof databaseWord === 'string' ? DATABASE_WORDS[databaseWord.toLowerCase()] : undefined;
  if (word) return { severity: word, from: 'database_specific' };
  return { severity: 'high', from: 'default' };
}
