// Scans a built tarball the way a publish does: the real tarball reader, the scanner inspector
// and the evaluation, with the bundled rule file.
import { inspectTarball } from '../../../src/domain/packages/tarball.js';
import { fileScanner, SCAN_INSPECTOR, type FileScan, type ScanLimits } from '../../../src/domain/scanning/matcher.js';
import { evaluate, type ScanInput, type ScanOutcome } from '../../../src/domain/scanning/evaluate.js';
import { loadRuleFile, type RuleSet } from '../../../src/domain/scanning/rules.js';

export const RULES: RuleSet = loadRuleFile();
export const LIMITS: ScanLimits = { maxFileBytes: 16 * 1024 * 1024, maxTotalBytes: 128 * 1024 * 1024 };
const TARBALL_LIMITS = {
  maxUnpackedBytes: 512 * 1024 * 1024,
  maxFileCount: 50_000,
  maxPathDepth: 64,
  maxPackageJsonBytes: 1024 * 1024,
};

export async function scanTarball(
  tgz: Buffer,
  opts: { limits?: ScanLimits; rules?: RuleSet; extra?: Partial<ScanInput> } = {},
): Promise<ScanOutcome & { files: FileScan }> {
  const rules = opts.rules ?? RULES;
  const summary = await inspectTarball(tgz, TARBALL_LIMITS, {
    inspectors: [fileScanner(() => rules, opts.limits ?? LIMITS)],
    budgetMs: 120_000,
  });
  const files = summary.results.get(SCAN_INSPECTOR) as FileScan;
  return { ...evaluate(rules, { packageJson: summary.packageJson, files, knownBad: [], ...opts.extra }), files };
}

export function ruleIds(outcome: ScanOutcome): string[] {
  return [...new Set(outcome.findings.map((f) => f.ruleId))].sort();
}
