// Malware scanning as a service: the verdict for a publish (rules, known-bad digests, advisories,
// the diff against the previous version), a package's results for its owners, the rule switches
// and the known-bad list (a held version's review is domain/quarantine's). Every change is one
// transaction with its event.
import { createHash } from 'node:crypto';
import semver from 'semver';
import type { Repositories, Store } from '../store.js';
import type { RequestContext } from '../access/context.js';
import { fail } from '../errors.js';
import { isServed } from '../packages/store.js';
import { hasInstallHooks } from '../packages/packument.js';
import type { PackageName } from '../packages/names.js';
import { assertAdministrator, seesHeld } from './authorize.js';
import { evaluate, type ScanOutcome } from './evaluate.js';
import type { FileScan } from './matcher.js';
import { digestKey, type KnownBadDigest, type KnownBadEntry } from './known-bad.js';
import type { Capability, Rule, RuleSet } from './rules.js';
import type { ScanRecord } from './store.js';

/** Malicious-package advisories (OSV `MAL-` records), as the advisories domain knows them. */
export interface MaliciousVersionSource {
  /** The advisory id when name@version is known malicious, else undefined. */
  maliciousAdvisory(name: string, version: string): Promise<string | undefined>;
}

export interface ScanServiceDeps {
  store: Store;
  now: () => Date;
  rules: RuleSet;
  /** Rule ids switched off by configuration (scanDisabledRules); admins switch others in the database. */
  disabledByConfig: readonly string[];
  /** OSV `MAL-` advisories; none by default (the advisories domain wires one). */
  maliciousVersions?: MaliciousVersionSource;
}

export interface ScanSubject {
  name: PackageName;
  version: string;
  integrity: string;
  tarball: Buffer;
  packageJson: Record<string, unknown>;
  files: FileScan;
}

export interface RuleView {
  id: string;
  family: string;
  description: string;
  where: string;
  severity: string;
  message: string;
  enabled: boolean;
  /** Why it is off: `config` (cannot be switched on here) or `admin`. */
  disabledBy?: 'config' | 'admin';
}

export class ScanService {
  constructor(private readonly deps: ScanServiceDeps) {}

  get rulesVersion(): string {
    return this.deps.rules.version;
  }

  /** The verdict for a version about to be committed. */
  async scan(subject: ScanSubject): Promise<ScanOutcome> {
    const repos = this.deps.store;
    const set = await this.enabledRules(repos);
    const [knownBad, advisory, previous] = await Promise.all([
      this.knownBad(subject),
      this.deps.maliciousVersions?.maliciousAdvisory(subject.name, subject.version),
      this.previous(subject.name, subject.version),
    ]);
    return evaluate(set, { packageJson: subject.packageJson, files: subject.files, knownBad, advisory, previous });
  }

  /** The rule set without the rules switched off (by configuration or by an administrator). */
  async enabledRules(repos: Pick<Repositories, 'scanning'>): Promise<RuleSet> {
    const off = await this.disabled(repos);
    return { ...this.deps.rules, rules: this.deps.rules.rules.filter((r) => !off.has(r.id)) };
  }

  private async disabled(repos: Pick<Repositories, 'scanning'>): Promise<Map<string, 'config' | 'admin'>> {
    const off = new Map<string, 'config' | 'admin'>();
    for (const s of await repos.scanning.switches()) if (!s.enabled) off.set(s.ruleId, 'admin');
    for (const id of this.deps.disabledByConfig) off.set(id, 'config');
    return off;
  }

  private async knownBad(subject: ScanSubject): Promise<ScanOutcomeKnownBad[]> {
    const tarballKeys = [digestKey(subject.integrity), digestKey(createHash('sha256').update(subject.tarball).digest('hex'))];
    const fileKeys = new Map<KnownBadDigest, string>();
    for (const d of subject.files.digests) {
      for (const key of [digestKey(d.sha512), digestKey(d.sha256)]) if (key && !fileKeys.has(key)) fileKeys.set(key, d.path);
    }
    const wanted = [...tarballKeys.filter((k): k is KnownBadDigest => k !== undefined), ...fileKeys.keys()];
    const found = await this.deps.store.scanning.knownBad(wanted);
    return found.map((bad) =>
      tarballKeys.includes(bad.digest)
        ? { ruleId: 'known-bad-tarball' as const, where: 'tarball', note: bad.note || bad.digest }
        : { ruleId: 'known-bad-file' as const, where: fileKeys.get(bad.digest) ?? 'a file', note: bad.note || bad.digest },
    );
  }

  /**
   * The capabilities of the served version just below this one (by semver). A version stored
   * before scanning has no record: only its install script is known, and network and exec count
   * as present, so their diff says nothing rather than something false.
   */
  private async previous(name: string, version: string): Promise<{ version: string; capabilities: Capability[] } | undefined> {
    const versions = (await this.deps.store.packages.versions(name, { readmes: false })).filter(
      (v) => isServed(v) && semver.valid(v.version) && semver.lt(v.version, version),
    );
    const prev = versions.sort((a, b) => semver.rcompare(a.version, b.version))[0];
    if (!prev) return undefined;
    const recorded = await this.deps.store.scanning.result(name, prev.version);
    if (recorded) return { version: prev.version, capabilities: recorded.capabilities };
    const install: Capability[] =
      prev.manifest.hasInstallScript === true || hasInstallHooks(prev.manifest.scripts) ? ['install-script'] : [];
    return { version: prev.version, capabilities: ['exec', 'network', ...install] };
  }

  /** Every scan result of a package, for its owners and administrators. */
  async results(context: RequestContext, name: PackageName): Promise<ScanRecord[]> {
    const owners = await this.deps.store.packages.owners(name);
    if (!seesHeld(context.principal, owners)) {
      if (context.principal.kind === 'anonymous') fail('Unauthenticated', 'Log in to see scan results. Run `npm login` first.');
      fail('NotMaintainer', `Only the owners of "${name}" and the administrators see its scan results.`);
    }
    return this.deps.store.scanning.results(name);
  }

  async listRules(context: RequestContext): Promise<{ version: string; rules: RuleView[] }> {
    assertAdministrator(context.principal, 'see the scan rules');
    const off = await this.disabled(this.deps.store);
    return { version: this.deps.rules.version, rules: this.deps.rules.rules.map((r) => ruleView(r, off.get(r.id))) };
  }

  /** Switches a rule on or off for every scan from now on (a rule off by configuration stays off). */
  async switchRule(context: RequestContext, id: string, enabled: unknown): Promise<RuleView> {
    const admin = assertAdministrator(context.principal, 'switch scan rules');
    if (typeof enabled !== 'boolean') fail('BadRequest', 'Send {"enabled": true} or {"enabled": false}.');
    const rule = this.deps.rules.rules.find((r) => r.id === id);
    if (!rule) fail('ScanRuleNotFound', `There is no scan rule "${id.slice(0, 100)}" in rule file ${this.deps.rules.version}.`);
    const at = this.deps.now().toISOString();
    await this.deps.store.transaction(async (tx) => {
      await tx.scanning.setSwitch({ ruleId: id, enabled, changedBy: admin.user.name, changedAt: at });
      await tx.events.append({
        type: 'scan_rule.switched',
        actor: { kind: 'user', userId: admin.user.id },
        data: { rule: id, enabled },
        createdAt: at,
      });
    });
    const off = await this.disabled(this.deps.store);
    return ruleView(rule, off.get(id));
  }

  /** `gatehouse scan known-bad import`: an operator's command, so it takes no principal. */
  async importKnownBad(entries: KnownBadEntry[]): Promise<number> {
    const at = this.deps.now().toISOString();
    return this.deps.store.transaction((tx) => tx.scanning.addKnownBad(entries, at));
  }
}

type ScanOutcomeKnownBad = Parameters<typeof evaluate>[1]['knownBad'][number];

function ruleView(rule: Rule, off: 'config' | 'admin' | undefined): RuleView {
  return {
    id: rule.id,
    family: rule.family,
    description: rule.description,
    where: rule.where,
    severity: rule.severity,
    message: rule.message,
    enabled: off === undefined,
    ...(off && { disabledBy: off }),
  };
}
