// The scan's pass over the tarball: an inspector that is offered every file once and keeps only
// what the verdict needs (which rules matched where, a short excerpt each, file digests and
// capabilities), never the files. attacker-controlled bytes throughout: text is read as latin1
// (every byte is one character, so invalid UTF-8 cannot throw and ASCII patterns match as
// written), in bounded windows, up to a byte budget per file and per tarball.
import { createHash } from 'node:crypto';
import type { TarballInspector } from '../packages/tarball-inspectors.js';
import type { Capability, Rule, RuleSet } from './rules.js';

export interface ScanLimits {
  /** Bytes of one file that are read as text. */
  maxFileBytes: number;
  /** Bytes of all files that are read as text. */
  maxTotalBytes: number;
}

/** One rule's first match in one file or script. */
export interface Hit {
  ruleId: string;
  /** The file (below the top folder), or `package.json#scripts.postinstall`. */
  where: string;
  /** What matched, cut short and made printable. */
  match: string;
}

export interface FileDigest {
  path: string;
  /** Hex. */
  sha256: string;
  /** `sha512-<base64>`, as an npm integrity string. */
  sha512: string;
}

export interface FileScan {
  /** Matches of `file` and `binary` and `path` rules. */
  hits: Hit[];
  /** Matches of `install-file` rules, by path: kept for the files an install script turns out to run. */
  installFileHits: Map<string, Hit[]>;
  capabilities: Map<Capability, Hit>;
  digests: FileDigest[];
  /** Bytes read as text, and whether some were left unread (a cap was reached). */
  scannedBytes: number;
  incomplete: boolean;
}

export const SCAN_INSPECTOR = 'malware-scan';

const WINDOW = 1024 * 1024;
/** Windows overlap by this much, so a match across a boundary (every bound is below it) is seen. */
const OVERLAP = 8 * 1024;
const SNIFF = 8000;
const EXCERPT = 100;
// The text rules read what can run: scripts, and files without an extension (bin entries). Not
// documentation (a README showing `curl … | sh` or naming a miner is not a miner), nor C sources
// or HTML pages (sqlite3.c calls LoadLibrary and writes files; npm's docs name .npmrc and publish),
// which measured false positives on real packages (bench/scan-false-positives.mjs).
const SCRIPT = /\.([cm]?[jt]sx?|sh|bash|zsh|ps1|psm1|bat|cmd|vbs|vbe|jse|wsf|hta|py|pl|rb|php)$/i;
const EXTENSIONLESS = /(^|\/)[^./]+$/;
const DOCUMENTATION =
  /(\.d\.[cm]?ts|(^|\/)(license|licence|copying|changelog|changes|history|authors|notice|makefile|dockerfile))$/i;

/** The inspector factory for one rule set: `packages.addInspector(fileScanner(rules, limits))`. */
export function fileScanner(rules: () => RuleSet, limits: ScanLimits): () => TarballInspector<FileScan> {
  return () => {
    const set = rules();
    const textRules = set.rules.filter((r) => r.where === 'file' || r.where === 'install-file');
    const binaryRules = set.rules.filter((r) => r.where === 'binary');
    const pathRules = set.rules.filter((r) => r.where === 'path');
    const scan: FileScan = {
      hits: [],
      installFileHits: new Map(),
      capabilities: new Map(),
      digests: [],
      scannedBytes: 0,
      incomplete: false,
    };
    return {
      name: SCAN_INSPECTOR,
      entry(entry, bytes) {
        if (entry.type !== 'file') return;
        scan.digests.push(digestOf(entry.path, bytes));
        for (const rule of pathRules) {
          const m = rule.any!.exec(entry.path);
          if (m) scan.hits.push({ ruleId: rule.id, where: entry.path, match: excerpt(m[0]) });
        }
        const head = bytes.subarray(0, SNIFF);
        const script = SCRIPT.test(entry.path);
        // A NUL byte must not hide a script from the rules: scripts are read as text whatever they hold.
        const binary = !script && head.includes(0);
        if (binary) {
          for (const rule of binaryRules) {
            if (rule.unlessPath?.test(entry.path)) continue;
            const magic = rule.magic.find((m) => bytes.length >= m.length && bytes.subarray(0, m.length).equals(m));
            if (magic) scan.hits.push({ ruleId: rule.id, where: entry.path, match: `${entry.path} (${magic.toString('hex')}…)` });
          }
          return;
        }
        if (!(script || EXTENSIONLESS.test(entry.path)) || DOCUMENTATION.test(entry.path)) return;
        const budget = Math.min(bytes.length, limits.maxFileBytes, Math.max(0, limits.maxTotalBytes - scan.scannedBytes));
        if (budget < bytes.length) scan.incomplete = true;
        scan.scannedBytes += budget;
        scanText(textRules, entry.path, bytes.subarray(0, budget), scan);
      },
      finish: () => scan,
    };
  };
}

/** State of one rule over one file, across its windows. */
interface Progress {
  first?: string;
  count: number;
  groups: boolean[];
  vetoed: boolean;
}

function scanText(rules: Rule[], path: string, bytes: Buffer, scan: FileScan): void {
  const progress = new Map<Rule, Progress>();
  // One window (most files): the `all` groups matter only once the rule's own patterns matched.
  const single = bytes.length <= WINDOW + OVERLAP;
  for (let start = 0, end = 0; end < bytes.length; start += WINDOW) {
    end = Math.min(bytes.length, start + WINDOW + OVERLAP);
    const text = bytes.toString('latin1', start, end);
    for (const rule of rules) {
      let p = progress.get(rule);
      if (!p) progress.set(rule, (p = { count: 0, groups: rule.all.map(() => false), vetoed: false }));
      if (p.vetoed) continue;
      if (rule.unless?.test(text)) {
        p.vetoed = true;
        continue;
      }
      if (p.count < rule.minCount) countMatches(rule, text, p);
      if (single && p.first === undefined) continue;
      rule.all.forEach((group, i) => {
        if (!p.groups[i] && group.test(text)) p.groups[i] = true;
      });
    }
  }
  for (const [rule, p] of progress) {
    if (p.vetoed || p.first === undefined || p.count < rule.minCount || !p.groups.every(Boolean)) continue;
    const hit = { ruleId: rule.id, where: path, match: p.first };
    if (rule.severity === 'info') {
      if (rule.capability && !scan.capabilities.has(rule.capability)) scan.capabilities.set(rule.capability, hit);
    } else if (rule.where === 'install-file') {
      const list = scan.installFileHits.get(path) ?? [];
      list.push(hit);
      scan.installFileHits.set(path, list);
    } else {
      scan.hits.push(hit);
    }
  }
}

function countMatches(rule: Rule, text: string, p: Progress): void {
  if (rule.minCount === 1) {
    const m = rule.any!.exec(text);
    if (m) {
      p.first ??= excerpt(m[0]);
      p.count = 1;
    }
    return;
  }
  // A global copy for counting; kept per rule, as lastIndex is its only state.
  const global = globalOf(rule.any!);
  global.lastIndex = 0;
  for (let m = global.exec(text); m !== null && p.count < rule.minCount; m = global.exec(text)) {
    p.first ??= excerpt(m[0]);
    p.count += 1;
    if (m[0].length === 0) global.lastIndex += 1;
  }
}

const globals = new WeakMap<RegExp, RegExp>();
function globalOf(re: RegExp): RegExp {
  let g = globals.get(re);
  if (!g) globals.set(re, (g = new RegExp(re.source, `${re.flags}g`)));
  return g;
}

function digestOf(path: string, bytes: Buffer): FileDigest {
  return {
    path,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    sha512: `sha512-${createHash('sha512').update(bytes).digest('base64')}`,
  };
}

/** What matched, short and printable (it is shown to the publisher and stored). */
export function excerpt(text: string): string {
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
  return clean.length > EXCERPT ? `${clean.slice(0, EXCERPT)}…` : clean;
}
