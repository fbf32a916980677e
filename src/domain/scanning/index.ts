// The scanning domain wired in one place: the rule file loaded (a bad one stops start-up), the
// scanner registered as a tarball inspector and its verdict as the publish step after the
// inspection (DESIGN.md "Publish pipeline": validate → policy → scan → store).
import type { Store } from '../store.js';
import type { PackageService } from '../packages/service.js';
import { fileScanner, type ScanLimits } from './matcher.js';
import { scanStep } from './publish-step.js';
import { loadRuleFile, DEFAULT_RULE_FILE, type RuleSet } from './rules.js';
import { ScanService, type MaliciousVersionSource } from './service.js';

export interface ScanningDeps {
  store: Store;
  now: () => Date;
  packages: PackageService;
  /** The rule file; the bundled data/scan-rules.json when empty. */
  rulesFile: string;
  disabledRules: readonly string[];
  limits: ScanLimits;
  maliciousVersions?: MaliciousVersionSource;
}

export function wireScanning(deps: ScanningDeps): { scanning: ScanService; rules: RuleSet } {
  const rules = loadRuleFile(deps.rulesFile || DEFAULT_RULE_FILE);
  const scanning = new ScanService({
    store: deps.store,
    now: deps.now,
    rules,
    disabledByConfig: deps.disabledRules,
    ...(deps.maliciousVersions && { maliciousVersions: deps.maliciousVersions }),
  });
  deps.packages.addInspector(fileScanner(() => rules, deps.limits));
  deps.packages.addPublishStep(scanStep(scanning), { after: 'inspect-tarball' });
  return { scanning, rules };
}

export { ScanService, type MaliciousVersionSource } from './service.js';
