// From what the scan found to findings and a verdict: the rules over package.json (install
// scripts, dependency specs), the files install scripts run, the diff against the previous
// version, known-bad digests and advisories, then the severities combined. Pure: no storage.
import type { Capability, Rule, RuleSet, Verdict } from './rules.js';
import { excerpt, type FileScan, type Hit } from './matcher.js';

/** npm runs these at install (npm-lifecycle); `prepare` only for git dependencies, so it is left out. */
export const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall'] as const;
const DEPENDENCY_FIELDS = ['dependencies', 'optionalDependencies', 'peerDependencies'] as const;

export interface Finding extends Hit {
  family: string;
  severity: Exclude<Rule['severity'], 'info'>;
  /** The rule's message with `{match}` filled in: what the publisher is shown. */
  message: string;
}

export interface ScanInput {
  packageJson: Record<string, unknown>;
  files: FileScan;
  /** The previous version's capabilities; undefined when there is none to compare with. */
  previous?: { version: string; capabilities: Capability[] };
  /** Known-bad digests found: the tarball's own, or a file's (`where` names it). */
  knownBad: { ruleId: 'known-bad-tarball' | 'known-bad-file'; where: string; note: string }[];
  /** An advisory says this version is malicious (its id). */
  advisory?: string;
}

export interface ScanOutcome {
  verdict: Verdict;
  findings: Finding[];
  capabilities: Capability[];
  /** Why the verdict is stricter than any one finding (escalation), if it is. */
  escalated?: string;
}

const ORDER: Record<Verdict, number> = { allow: 0, warn: 1, quarantine: 2, block: 3 };

export function evaluate(set: RuleSet, input: ScanInput): ScanOutcome {
  const byId = new Map(set.rules.map((r) => [r.id, r]));
  const hits: Hit[] = [...input.files.hits];
  const scripts = installScripts(input.packageJson);
  const capabilities = new Set<Capability>(input.files.capabilities.keys());
  const firstCapability = new Map(input.files.capabilities);
  for (const rule of set.rules) {
    if (rule.where === 'script') {
      for (const [name, script] of scripts) {
        const hit = matchText(rule, script, `package.json#scripts.${name}`);
        if (!hit) continue;
        if (rule.severity === 'info') {
          if (rule.capability) {
            capabilities.add(rule.capability);
            if (!firstCapability.has(rule.capability)) firstCapability.set(rule.capability, { ...hit, match: excerpt(script) });
          }
        } else hits.push(hit);
      }
    } else if (rule.where === 'dependency') {
      for (const [name, spec] of dependencySpecs(input.packageJson)) {
        const hit = matchText(rule, spec, `package.json#dependencies.${name}`);
        if (hit) hits.push(hit);
      }
    }
  }
  // The files install scripts run: their `install-file` matches count.
  for (const path of filesRunBy(scripts.map(([, s]) => s))) hits.push(...(input.files.installFileHits.get(path) ?? []));
  if (input.previous) {
    for (const rule of set.rules) {
      if (rule.where !== 'diff' || !rule.capability) continue;
      if (!capabilities.has(rule.capability) || input.previous.capabilities.includes(rule.capability)) continue;
      if (rule.capability === 'install-script' && rule.unlessScript && scripts.every(([, s]) => rule.unlessScript!.test(s)))
        continue;
      const seen = firstCapability.get(rule.capability);
      hits.push({ ruleId: rule.id, where: seen?.where ?? 'package.json', match: seen?.match ?? rule.capability });
    }
  }
  for (const bad of input.knownBad) hits.push({ ruleId: bad.ruleId, where: bad.where, match: excerpt(bad.note) });
  if (input.files.incomplete) {
    const read = `${Math.round(input.files.scannedBytes / 1024)} KiB read`;
    for (const rule of set.rules) if (rule.where === 'limits') hits.push({ ruleId: rule.id, where: 'tarball', match: read });
  }
  if (input.advisory) hits.push({ ruleId: 'osv-malicious', where: 'advisory', match: excerpt(input.advisory) });
  const findings = hits.flatMap((hit) => {
    const rule = byId.get(hit.ruleId);
    if (!rule || rule.severity === 'info') return [];
    return [{ ...hit, family: rule.family, severity: rule.severity, message: rule.message.replaceAll('{match}', hit.match) }];
  });
  return { ...combine(set, findings), findings, capabilities: [...capabilities].sort() };
}

/** The strictest finding decides; enough distinct families of warnings together escalate. */
export function combine(set: RuleSet, findings: Finding[]): { verdict: Verdict; escalated?: string } {
  let verdict: Verdict = 'allow';
  for (const f of findings) if (ORDER[f.severity] > ORDER[verdict]) verdict = f.severity;
  const warned = new Set(findings.filter((f) => f.severity === 'warn').map((f) => f.family));
  const e = set.escalation;
  if (e && warned.size >= e.distinctWarnFamilies && ORDER[e.to] > ORDER[verdict]) {
    return { verdict: e.to, escalated: `${warned.size} kinds of warning together: ${[...warned].sort().join(', ')}` };
  }
  return { verdict };
}

function matchText(rule: Rule, text: string, where: string): Hit | undefined {
  const m = rule.any?.exec(text);
  if (!m || rule.unless?.test(text) || !rule.all.every((group) => group.test(text))) return undefined;
  return { ruleId: rule.id, where, match: excerpt(m[0]) };
}

/** The install-time scripts, as [name, text]; attacker-controlled, so anything not a string is ignored. */
export function installScripts(packageJson: Record<string, unknown>): [string, string][] {
  const scripts = packageJson.scripts;
  if (typeof scripts !== 'object' || scripts === null) return [];
  const out: [string, string][] = [];
  for (const name of INSTALL_SCRIPTS) {
    const s = (scripts as Record<string, unknown>)[name];
    if (typeof s === 'string') out.push([name, s.slice(0, 64 * 1024)]);
  }
  return out;
}

function dependencySpecs(packageJson: Record<string, unknown>): [string, string][] {
  const out: [string, string][] = [];
  for (const field of DEPENDENCY_FIELDS) {
    const deps = packageJson[field];
    if (typeof deps !== 'object' || deps === null || Array.isArray(deps)) continue;
    for (const [name, spec] of Object.entries(deps as Record<string, unknown>).slice(0, 10_000))
      if (typeof spec === 'string') out.push([name, spec.slice(0, 2048)]);
  }
  return out;
}

/**
 * The package files a script runs with node (`node install.js`, `node ./lib/post.js`,
 * `node -e "require('./x')"`), as paths below the top folder. What a script runs some other way
 * is still seen by the `file` rules, which read every file.
 */
export function filesRunBy(scripts: string[]): string[] {
  const paths = new Set<string>();
  for (const script of scripts) {
    for (const m of script.matchAll(/\bnode\s{1,5}(?:--?[\w-]{1,40}(?:=\S{1,200})?\s{1,5}){0,6}([\w./@-]{1,300})/g)) add(m[1]!);
    for (const m of script.matchAll(/\brequire\(\s{0,3}['"](\.{1,2}\/[\w./@-]{1,300})['"]\s{0,3}\)/g)) add(m[1]!);
  }
  return [...paths];

  function add(raw: string): void {
    const path = raw.replace(/^(\.\/)+/, '');
    if (path.startsWith('-') || path.startsWith('../')) return;
    paths.add(path);
    // node resolves `node install` and `require('./install')` to install.js.
    if (!/\.[cm]?js$/.test(path)) {
      paths.add(`${path}.js`);
      paths.add(`${path}/index.js`);
    }
  }
}
