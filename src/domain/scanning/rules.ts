// The rule file (data/scan-rules.json, docs/malware-scanning.md) parsed and compiled. Rules are
// data: each says where it looks, what it matches, the verdict it gives and what the publisher
// is told. Every pattern runs over attacker-controlled text, so a pattern that could backtrack
// without bound (nested quantifiers, an unbounded `.` or negated class) is refused at load.
import { readFileSync } from 'node:fs';

/** Where a rule looks. */
export type RuleScope =
  /** install-time lifecycle scripts in package.json (preinstall, install, postinstall) */
  | 'script'
  /** the text of every file but documentation */
  | 'file'
  /** only files an install script runs (`node install.js`) */
  | 'install-file'
  /** dependency specs (dependencies, optionalDependencies, peerDependencies) */
  | 'dependency'
  /** file paths */
  | 'path'
  /** the first bytes of binary files */
  | 'binary'
  /** a capability new since the previous version */
  | 'diff'
  /** the known-bad digest list (matched by the registry) */
  | 'known-bad'
  /** malicious-package advisories (matched by the registry) */
  | 'advisory'
  /** the scan's own byte caps were reached (text left unread) */
  | 'limits';

/** `info` rules find capabilities for the diff and never decide a verdict. */
export type Severity = 'info' | 'warn' | 'quarantine' | 'block';
export type Verdict = 'allow' | 'warn' | 'quarantine' | 'block';
export type Capability = 'install-script' | 'network' | 'exec';

const SCOPES: readonly RuleScope[] = [
  'script',
  'file',
  'install-file',
  'dependency',
  'path',
  'binary',
  'diff',
  'known-bad',
  'advisory',
  'limits',
];
const SEVERITIES: readonly Severity[] = ['info', 'warn', 'quarantine', 'block'];
const CAPABILITIES: readonly Capability[] = ['install-script', 'network', 'exec'];

export interface Rule {
  id: string;
  family: string;
  description: string;
  where: RuleScope;
  severity: Severity;
  /** What the publisher is shown; `{match}` becomes what was found. */
  message: string;
  /** Any of these matches (one alternation). */
  any?: RegExp;
  /** Each group must also match somewhere in the same text. */
  all: RegExp[];
  /** A match of this drops the finding. */
  unless?: RegExp;
  /** Matches needed in one file (obfuscator name tables). */
  minCount: number;
  /** For `binary`: leading bytes, as hex. */
  magic: Buffer[];
  /** For `binary`: paths to leave alone. */
  unlessPath?: RegExp;
  /** For `diff`: install scripts that are well-known build tools. */
  unlessScript?: RegExp;
  capability?: Capability;
}

export interface RuleSet {
  version: string;
  rules: Rule[];
  /** This many distinct families of warnings make a quarantine. */
  escalation?: { distinctWarnFamilies: number; to: Verdict };
}

export class RuleFileError extends Error {}

export const DEFAULT_RULE_FILE = new URL('../../../data/scan-rules.json', import.meta.url);

export function loadRuleFile(path: string | URL = DEFAULT_RULE_FILE): RuleSet {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new RuleFileError(`The scan rule file ${String(path)} cannot be read: ${(err as Error).message}`);
  }
  return parseRuleFile(raw);
}

export function parseRuleFile(raw: unknown): RuleSet {
  const file = object(raw, 'the rule file');
  const version = text(file.version, 'version');
  if (!Array.isArray(file.rules)) throw new RuleFileError('"rules" must be a list.');
  const ids = new Set<string>();
  const rules = file.rules.map((entry: unknown, i: number) => {
    const rule = compileRule(object(entry, `rule ${i}`));
    if (ids.has(rule.id)) throw new RuleFileError(`Rule id "${rule.id}" appears twice.`);
    ids.add(rule.id);
    return rule;
  });
  const set: RuleSet = { version, rules };
  if (file.escalation !== undefined) {
    const e = object(file.escalation, 'escalation');
    const to = text(e.to, 'escalation.to') as Verdict;
    if (!['warn', 'quarantine', 'block'].includes(to)) throw new RuleFileError('escalation.to is warn, quarantine or block.');
    const n = Number(e.distinctWarnFamilies);
    if (!Number.isInteger(n) || n < 2) throw new RuleFileError('escalation.distinctWarnFamilies is an integer of at least 2.');
    set.escalation = { distinctWarnFamilies: n, to };
  }
  return set;
}

function compileRule(r: Record<string, unknown>): Rule {
  const id = text(r.id, 'id');
  const where = text(r.where, `${id}.where`) as RuleScope;
  if (!SCOPES.includes(where)) throw new RuleFileError(`${id}: "where" is one of ${SCOPES.join(', ')}.`);
  const severity = text(r.severity, `${id}.severity`) as Severity;
  if (!SEVERITIES.includes(severity)) throw new RuleFileError(`${id}: "severity" is one of ${SEVERITIES.join(', ')}.`);
  const flags = r.flags === undefined ? '' : text(r.flags, `${id}.flags`);
  if (!/^i?$/.test(flags)) throw new RuleFileError(`${id}: the only flag is "i".`);
  const rule: Rule = {
    id,
    family: text(r.family, `${id}.family`),
    description: text(r.description, `${id}.description`),
    where,
    severity,
    message: text(r.message, `${id}.message`),
    all: [],
    minCount: r.minCount === undefined ? 1 : Number(r.minCount),
    magic: [],
  };
  if (!Number.isInteger(rule.minCount) || rule.minCount < 1 || rule.minCount > 10_000)
    throw new RuleFileError(`${id}: minCount is an integer from 1 to 10000.`);
  if (r.patterns !== undefined) rule.any = alternation(r.patterns, id, flags);
  if (r.all !== undefined) {
    if (!Array.isArray(r.all)) throw new RuleFileError(`${id}: "all" is a list of pattern lists.`);
    rule.all = r.all.map((group) => alternation(group, id, flags));
  }
  if (r.unless !== undefined) rule.unless = alternation(r.unless, id, flags);
  if (r.unlessPath !== undefined) rule.unlessPath = alternation(r.unlessPath, id, flags);
  if (r.unlessScript !== undefined) rule.unlessScript = alternation(r.unlessScript, id, flags);
  if (r.magic !== undefined) {
    if (!Array.isArray(r.magic) || !r.magic.every((m) => typeof m === 'string' && /^([0-9a-f]{2}){1,16}$/.test(m)))
      throw new RuleFileError(`${id}: "magic" is a list of hex byte strings.`);
    rule.magic = (r.magic as string[]).map((m) => Buffer.from(m, 'hex'));
  }
  if (r.capability !== undefined) {
    const capability = text(r.capability, `${id}.capability`) as Capability;
    if (!CAPABILITIES.includes(capability)) throw new RuleFileError(`${id}: "capability" is one of ${CAPABILITIES.join(', ')}.`);
    rule.capability = capability;
  }
  const needsPatterns = ['script', 'file', 'install-file', 'dependency', 'path'].includes(where);
  if (needsPatterns && !rule.any) throw new RuleFileError(`${id}: a "${where}" rule needs "patterns".`);
  if (where === 'binary' && rule.magic.length === 0) throw new RuleFileError(`${id}: a "binary" rule needs "magic".`);
  if (where === 'diff' && !rule.capability) throw new RuleFileError(`${id}: a "diff" rule needs "capability".`);
  return rule;
}

/** The patterns as one regular expression, so a text is read once per list, not once per pattern. */
function alternation(patterns: unknown, id: string, flags: string): RegExp {
  if (!Array.isArray(patterns) || patterns.length === 0 || !patterns.every((p) => typeof p === 'string'))
    throw new RuleFileError(`${id}: patterns are a non-empty list of strings.`);
  for (const p of patterns as string[]) assertLinear(p, id);
  try {
    return new RegExp((patterns as string[]).map((p) => `(?:${p})`).join('|'), flags);
  } catch (err) {
    throw new RuleFileError(`${id}: ${(err as Error).message}`);
  }
}

/**
 * Refuses what can make a backtracking engine take more than about linear time on a crafted
 * text: a quantified group that itself holds a quantifier (`(a+)+`), backreferences, and an
 * unbounded `.` or negated class (`.*`, `[^x]+`), which must be written with a bound (`{0,300}`).
 * Not a proof of linearity, but with the per-window cap it bounds each match attempt.
 */
export function assertLinear(pattern: string, id: string): void {
  const problem = nonLinear(pattern);
  if (problem) throw new RuleFileError(`${id}: pattern /${pattern}/ ${problem}.`);
}

function nonLinear(p: string): string | undefined {
  if (/\\[1-9]|\\k</.test(p)) return 'uses a backreference';
  // Walk the pattern tracking, per open group, whether it holds a quantifier.
  const groups: boolean[] = [];
  let lastAtom: 'dot' | 'negated' | 'group-q' | 'other' = 'other';
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '\\') {
      i++;
      lastAtom = 'other';
      continue;
    }
    if (c === '[') {
      const negated = p[i + 1] === '^';
      i++;
      while (i < p.length && p[i] !== ']') i += p[i] === '\\' ? 2 : 1;
      lastAtom = negated ? 'negated' : 'other';
      continue;
    }
    if (c === '(') {
      groups.push(false);
      lastAtom = 'other';
      continue;
    }
    if (c === ')') {
      const quantifiedInside = groups.pop() ?? false;
      lastAtom = quantifiedInside ? 'group-q' : 'other';
      continue;
    }
    const unbounded = c === '*' || c === '+' || (c === '{' && /^\{\d+,\}/.test(p.slice(i)));
    const bounded = c === '?' || (c === '{' && /^\{\d+(,\d+)?\}/.test(p.slice(i)));
    if (unbounded || bounded) {
      if (lastAtom === 'group-q' && unbounded) return 'repeats a group that holds a quantifier';
      if ((lastAtom === 'dot' || lastAtom === 'negated') && unbounded) return 'has an unbounded . or negated class (write {0,N})';
      if (c === '{') {
        const bound = /^\{\d+(?:,(\d+))?\}/.exec(p.slice(i));
        if (bound?.[1] !== undefined && Number(bound[1]) > 5000) return 'has a repetition bound above 5000';
        i = p.indexOf('}', i);
      }
      if (groups.length > 0 && c !== '?') groups[groups.length - 1] = true;
      lastAtom = 'other';
      continue;
    }
    lastAtom = c === '.' ? 'dot' : 'other';
  }
  return undefined;
}

function object(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new RuleFileError(`${what} must be an object.`);
  return value as Record<string, unknown>;
}

function text(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') throw new RuleFileError(`"${what}" must be a non-empty string.`);
  return value;
}
