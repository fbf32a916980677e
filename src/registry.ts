// The composition root: opens storage for the configured engine and wires every domain. The
// HTTP layer and the CLI both start from here, so there is one way to build a registry.
import { join } from 'node:path';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { ConfigError, type Config } from './config.js';
import { openDatabase } from './storage/db/database.js';
import { createDbStore } from './storage/db/store.js';
import { FsBlobStore } from './storage/blobs/fs/store.js';
import type { BlobStore } from './domain/packages/blobs.js';
import type { Store } from './domain/store.js';
import type { TokenService } from './domain/tokens/service.js';
import { GranularTokens } from './domain/tokens/granular.js';
import type { AccountService } from './domain/accounts/service.js';
import type { WebLoginService } from './domain/accounts/web-login.js';
import type { PackageService } from './domain/packages/service.js';
import type { EventFollower } from './domain/events/follower.js';
import type { DownloadService } from './domain/downloads/service.js';
import type { JobRunner } from './domain/jobs/runner.js';
import type { SessionService } from './domain/sessions/service.js';
import type { AccountSecurityService } from './domain/sessions/account-security.js';
import { wireSessions } from './domain/sessions/index.js';
import { systemClock, type Clock } from './domain/clock.js';
import { wireTokens } from './domain/tokens/index.js';
import { wireAccounts } from './domain/accounts/index.js';
import { wirePackages } from './domain/packages/index.js';
import { wireEvents } from './domain/events/index.js';
import { wireJobs } from './domain/jobs/index.js';
import { wireDownloads } from './domain/downloads/index.js';
import { deliveringCommitted } from './domain/events/committed.js';
import { wireCredentials } from './domain/credentials/index.js';
import type { PasswordScreen } from './domain/accounts/password-screen.js';
import { DEFAULT_PARKING_HOSTS, type EmailDomains } from './domain/accounts/email-domains.js';
import { HibpRangeClient } from './adapters/hibp/range-client.js';
import { DnsMailResolver } from './adapters/dns/mail-resolver.js';
import { wireGuard, type GuessLimits } from './domain/guard/index.js';
import { guessCounterStore } from './storage/db/guess-counters.js';
import { RedisGuessCounters } from './adapters/redis/guess-counters.js';
import { closeRedis, connectRedis } from './adapters/redis/client.js';
import type { SecondFactor } from './domain/access/second-factor.js';
import { wireMfa, type MfaDomain } from './domain/mfa/index.js';
import { wireWebAuthn } from './domain/webauthn/index.js';
import type { WriteApprovals } from './domain/webauthn/write-approvals.js';
import type { WebAuthnService } from './domain/webauthn/service.js';
import { loadSecretKey } from './domain/mfa/secret-key.js';
import { secondFactorStep } from './domain/mfa/publish-step.js';
import type { SignupService } from './domain/accounts/signup.js';
import type { EmailVerificationService } from './domain/accounts/verification.js';
import type { MailOutbox } from './domain/mail/outbox.js';
import type { MailTransport } from './domain/mail/transport.js';
import { MAILED_EVENTS, wireMail } from './domain/mail/index.js';
import { SmtpMailTransport } from './adapters/mail/smtp.js';
import { OutboxFolderTransport } from './adapters/mail/outbox-folder.js';
import { AccountRestrictions } from './domain/accounts/restrictions.js';
import { PasswordRecovery } from './domain/accounts/recovery.js';
import { EmailChange } from './domain/accounts/email-change.js';
import { AdminRecovery } from './domain/accounts/admin-recovery.js';
import { CriticalPackages } from './domain/packages/critical.js';
import { OrgService } from './domain/orgs/service.js';
import type { EventType } from './domain/events/store.js';
import { wireTrust, type TrustService } from './domain/trust/index.js';
import type { RegistrySigner } from './domain/signatures/service.js';
import { wireSignatures } from './domain/signatures/index.js';
import { SecretScanning } from './domain/secret-scanning/service.js';
import { GithubScanningKeys } from './adapters/github/scanning-keys.js';
import { AccountChanges } from './domain/sessions/account-changes.js';
import { originOf } from './domain/events/origin.js';
import { wireReports, type ReportsDomain } from './domain/reports/index.js';
import { maliciousPackageStep } from './domain/malicious/publish-step.js';
import type { SecurityAssessment } from './domain/security/service.js';
import { wireSecurityAssessment } from './domain/security/index.js';
import type { AuditLog } from './domain/audit-log/service.js';
import { wireAuditLog } from './domain/audit-log/index.js';
import type { TransparencyLog } from './domain/transparency/service.js';
import { wireTransparency } from './domain/transparency/index.js';
import { LOGGED_EVENTS } from './domain/transparency/entries.js';
import { HttpWitnessClient } from './adapters/witness/http-witness.js';
import { wireStaging } from './domain/staging/index.js';
import type { StagingService } from './domain/staging/service.js';
import { protectedNamesOf, wireNames } from './domain/names/index.js';
import type { NameDefence } from './domain/names/service.js';
import { wireScanning, type MaliciousVersionSource, type ScanService } from './domain/scanning/index.js';
import { wireAdvisories, type AdvisoryService } from './domain/advisories/index.js';
import { parsePackageName } from './domain/packages/names.js';
import { OSV_FILES } from './adapters/osv/files.js';
import { wireProvenance, type ProvenanceService } from './domain/provenance/index.js';
import { wireQuarantine, type QuarantineService } from './domain/quarantine/index.js';
import { RekorClient } from './adapters/rekor/client.js';

/**
 * What the HTTP layer is handed: configuration and the domain services, never the store or the
 * blob files, so a handler reaches data only through a domain operation.
 */
/** Changes to who belongs where; grants and visibility name their package and invalidate it alone. */
const ACCESS_EVENTS: ReadonlySet<EventType> = new Set<EventType>([
  'org.member_set',
  'org.member_removed',
  'team.destroyed',
  'team.member_added',
  'team.member_removed',
]);

export interface Registry {
  config: Config;
  tokens: TokenService;
  /** `npm token create` and the account page's token form (domain/tokens/granular.ts). */
  granularTokens: GranularTokens;
  accounts: AccountService;
  webLogins: WebLoginService;
  /** Web sessions (the browser's sign-in cookie). */
  sessions: SessionService;
  /** The account security page. */
  accountSecurity: AccountSecurityService;
  /** The account page's forms: TOTP set-up, recovery codes, password and email change (with session rotation). */
  accountChanges: AccountChanges;
  /** `npm adduser` and the /signup page. */
  signup: SignupService;
  /** The /verify-email links, and asking for a new one. */
  verification: EmailVerificationService;
  /** The outbox worker; tests call `mail.deliver()` to send what is owed now. */
  mail: MailOutbox;
  packages: PackageService;
  events: EventFollower;
  downloads: DownloadService;
  /** Leaked-password screen: sign-up and password change refuse what it flags (docs/leaked-passwords.md). */
  passwordScreen: PasswordScreen;
  /** Abandoned email domains: `isLive(email)` before every recovery mail (docs/email-domains.md). */
  emailDomains: EmailDomains;
  /** The second factor every sensitive step asks (TOTP and recovery codes, domain/mfa). */
  secondFactor: SecondFactor;
  /** Two-factor enrolment, the write checks and npm's profile API. */
  mfa: MfaDomain;
  /** Account recovery (docs/account-recovery.md): reset by email, address change, admin recovery, the read-only lock. */
  recovery: {
    passwordReset: PasswordRecovery;
    emailChange: EmailChange;
    admin: AdminRecovery;
    restrictions: AccountRestrictions;
  };
  /** The most downloaded packages, recomputed by a job: `isCritical(name)`, `criticalMaintainer(userId)`. */
  critical: CriticalPackages;
  /** Security keys and passkeys (domain/webauthn). */
  webauthn: WebAuthnService;
  /** Writes approved with a security key in the browser (npm's authUrl/doneUrl flow). */
  writeApprovals: WriteApprovals;
  /** Trusted publishing (docs/trusted-publishing.md): `npm trust` configurations and the OIDC token exchange. */
  trust: TrustService;
  /** Registry signatures (docs/signatures.md): the keys /-/npm/v1/keys lists, and their rotation. */
  signer: RegistrySigner;
  /** Leaked-token reports from GitHub's secret scanning (docs/secret-scanning.md). */
  secretScanning: SecretScanning;
  /** Malware scanning (docs/malware-scanning.md): scan results, rule switches, the known-bad list. */
  scanning: ScanService | undefined;
  /** Periodic work; tests call `jobs.runDue()` after moving an injected clock. */
  jobs: JobRunner;
  /** Orgs, teams and package access: `npm org`, `npm team`, `npm access` (docs/orgs.md). */
  orgs: OrgService;
  /** The one clock every service reads; handlers that print a time read it too. */
  clock: Clock;
  /** Reports, moderation, security contacts and the MAL- feed (docs/reports.md). */
  reports: ReportsDomain;
  /** The event transparency log (docs/transparency-log.md); tests call `transparency.sync()` to append now. */
  transparency: TransparencyLog;
  /** Staged publishing (docs/staged-publishing.md): `npm stage …` and the package page's approvals. */
  staging: StagingService;
  /** Imported OSV advisories (docs/advisories.md): npm/pnpm audit, package pages, `MAL-` lookups. */
  advisories: AdvisoryService;
  /** The URL clients reach us at; fixed once the server knows its port. */
  baseUrl(): string;
  setBaseUrl(url: string): void;
  close(): Promise<void>;
  /** The live self-assessment against the Principles (/-/security/principles). */
  securityAssessment: SecurityAssessment;
  /** Per-package, per-org and per-account audit logs from the event table (NDJSON export). */
  auditLog: AuditLog;
  /** Typosquatting defence (docs/typosquatting.md): the new-name check, allowed names, held claims. */
  names: NameDefence;
  /** Build provenance (domain/provenance): Sigstore bundles verified on publish and served back. */
  provenance: ProvenanceService;
  /** Quarantined versions' one review, whatever held them (docs/quarantine.md). */
  quarantine: QuarantineService;
}

/** The registry as its opener holds it (CLI commands, tests): also its storage, to inspect or administer. */
export interface OpenedRegistry extends Registry {
  store: Store;
  /** The domain's interface, not the filesystem class: nothing outside the root depends on where blobs live. */
  blobs: BlobStore;
}

export interface RegistryDeps {
  /**
   * Time for everything: publish times, the unpublish window, token and web login expiry, jobs
   * and download days. Tests pass a ManualClock; with one, the job timer is not started.
   */
  clock?: Clock;
  /** Where packages keep tarballs; the data folder's files when absent (tests pass other stores). */
  blobs?: BlobStore;
  /** The breached-password check sign-up uses; none refuses nothing. */
  passwordScreen?: PasswordScreen;
  /** OSV `MAL-` advisories the malware scan blocks on (the advisories domain provides them). */
  maliciousVersions?: MaliciousVersionSource;
}

export async function openRegistry(config: Config, deps: RegistryDeps = {}): Promise<OpenedRegistry> {
  const clock = deps.clock ?? systemClock;
  // Before the database opens: a malformed protected-names file stops start-up with nothing to close.
  const protectedNames = protectedNamesOf(config);
  const { db, engine } = await openDatabase(config);
  const committed = createDbStore(db, engine);
  const { events } = wireEvents({ events: committed.events, clock, pollMs: config.eventPollMs });
  // Every domain writes through this store, so each committed event reaches the subscribers at once.
  const store = deliveringCommitted(committed, (appended) => events.deliverCommitted(appended));
  const fsBlobs = new FsBlobStore(join(config.dataDir, 'blobs'));
  // Temporary files from writes a crash interrupted: harmless, but nothing else would remove them.
  void fsBlobs.sweepTemporary(60 * 60 * 1000);
  const blobs: BlobStore = deps.blobs ?? fsBlobs;
  let baseUrl = config.publicUrl || `http://${config.host}:${config.port}`;

  const owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  OWNERS_HERE.add(owner);
  const { jobs } = wireJobs({
    leases: store.jobLeases,
    clock,
    owner,
    // Nothing else would say why counts stop appearing; the error never carries secrets.
    onError: (job, err) => process.emitWarning(`gatehouse job ${job} failed: ${(err as Error).message}`),
  });
  const { tokens } = wireTokens({ store, clock, sessionTokenMs: config.loginTokenHours * HOUR_MS });
  const passwordScreen =
    deps.passwordScreen ??
    wireCredentials({
      hibp: config.hibpUrl ? new HibpRangeClient({ baseUrl: config.hibpUrl, timeoutMs: config.hibpTimeoutMs }) : undefined,
      // The reason names the failure only; the password, its hash and its prefix never reach it.
      onUnavailable: (source, reason) =>
        process.emitWarning(`gatehouse: ${source} ${reason}; screened the password against the bundled list`),
    }).passwordScreen;
  // Brute-force counters: in Redis when configured (shared by every instance using it), else in the database.
  const redis = config.redisUrl
    ? await connectRedis(config.redisUrl, (message) => process.emitWarning(`gatehouse: Redis: ${message}`))
    : undefined;
  const guarded = wireGuard({
    counters: redis ? new RedisGuessCounters(redis, { prefix: config.redisKeyPrefix }) : guessCounterStore(db),
    needsPurge: !redis,
    limits: guessLimits(config),
    store,
    clock,
  });
  // Before the accounts domain: the web login asks its second factor; it asks their password check only when called.
  const restrictions = new AccountRestrictions({
    store,
    clock,
    policy: { hours: config.restrictedHours, scope: config.restrictedAccounts },
  });
  const {
    webauthn,
    keyPolicy,
    approvals: writeApprovals,
  } = wireWebAuthn({
    store,
    clock,
    publicUrl: () => baseUrl,
    checkPassword: async (user, password, context) => void (await accounts.checkPassword(user.name, password, context)),
    hasTotp: async (user) => (await mfa.secondFactor.enrolment(user)) !== undefined,
    // Defined below; asked only when a package write is checked.
    criticalMaintainer: (userId) => critical.criticalMaintainer(userId),
    requiredForCritical: config.criticalRequireSecurityKey,
  });
  const mfa = wireMfa({
    securityKeys: keyPolicy,
    keyApprovals: writeApprovals,
    restrictions,
    // Defined below, once the second factor it asks exists.
    changeEmail: (user, context, email, password) => emailChange.change(user, context, email, password),
    store,
    clock,
    key: loadSecretKey(config.mfaSecretKey, config.dataDir),
    guard: guarded.guard,
    screen: passwordScreen,
    checkPassword: async (user, password, context) => void (await accounts.checkPassword(user.name, password, context)),
    // A new password ends every web session of the account (defined below, called only later).
    setPassword: (user, password, context) =>
      accounts.setPassword(user, password, {
        origin: originOf(context),
        also: (tx) => sessions.endAll(tx, user, 'password-change').then(() => {}),
      }),
    issuer: () => new URL(baseUrl).host,
    newFactors: config.mfaNewFactors,
    policy: { required: config.mfaRequiredForMaintainers, graceDays: config.mfaGraceDays },
  });
  const secondFactor = mfa.secondFactor;
  const { accounts, webLogins, emailDomains, signup, verification } = wireAccounts({
    store,
    tokens,
    clock,
    guard: guarded.guard,
    passwordHashConcurrency: config.passwordHashConcurrency,
    pendingWebLoginsPerIp: config.pendingWebLoginsPerIp,
    signupEnabled: config.signup === 'on',
    passwordScreen,
    mailResolver: new DnsMailResolver({ servers: listOf(config.dnsServers), timeoutMs: config.dnsTimeoutMs }),
    parkingHosts: config.parkedDomainHosts ? listOf(config.parkedDomainHosts) : DEFAULT_PARKING_HOSTS,
    jobs,
    emailDomainJob: {
      intervalMs: config.emailDomainCheckMs,
      batch: Math.max(1, Math.floor(config.emailDomainBatch)),
      recheckMs: config.emailDomainRecheckHours * 60 * 60 * 1000,
    },
    secondFactor,
    securityKeys: webauthn,
  });
  const { sessions, accountSecurity } = wireSessions({
    securityKeys: webauthn,
    keyApprovals: writeApprovals,
    store,
    clock,
    accounts,
    tokens,
    secondFactor,
    settings: { idleMs: config.sessionIdleMinutes * 60_000, absoluteMs: config.sessionAbsoluteHours * HOUR_MS },
  });
  const emailChange = new EmailChange({
    store,
    clock,
    checkPassword: async (user, password, context) => void (await accounts.checkPassword(user.name, password, context)),
    secondFactor: mfa.secondFactor,
    restrictions,
  });
  const accountChanges = new AccountChanges({ sessions, mfa: mfa.mfa, profile: mfa.profile, emailChange });
  const recovery = {
    passwordReset: new PasswordRecovery({
      store,
      clock,
      accounts,
      guard: guarded.guard,
      screen: passwordScreen,
      emailDomains,
      secondFactor: mfa.secondFactor,
      linkMinutes: config.passwordResetMinutes,
      endSessions: (tx, user) => sessions.endAll(tx, user, 'password-reset'),
      warn: (message) => process.emitWarning(message),
    }),
    emailChange,
    admin: new AdminRecovery({ store, clock, restrictions }),
    restrictions,
  };
  const granularTokens = new GranularTokens({
    store,
    clock,
    tokens,
    secondFactor: mfa.secondFactor,
    keyApprovals: writeApprovals,
    restrictions,
    checkPassword: async (user, password, context) => void (await accounts.checkPassword(user.name, password, context)),
    expiry: { defaultDays: config.tokenDefaultDays, maxDays: config.tokenMaxDays },
  });
  const critical = new CriticalPackages({
    store,
    clock,
    rule: { percent: config.criticalPercent, floor: config.criticalMinDownloads, minTop: config.criticalMinTop },
  });
  if (config.criticalIntervalMs > 0) {
    // Once across the fleet per interval; policies read the stored list.
    jobs.define({
      name: 'critical-packages.compute',
      scope: 'cluster',
      intervalMs: config.criticalIntervalMs,
      run: () => critical.compute().then(() => {}),
    });
  }
  const { signer } = await wireSignatures({ store, clock, rotationGraceMs: config.signingKeyGraceMinutes * 60_000 });
  const secretScanning = new SecretScanning({
    store,
    clock,
    keys: config.secretScanningKeysUrl
      ? new GithubScanningKeys({
          url: config.secretScanningKeysUrl,
          cacheMs: config.secretScanningKeysCacheMinutes * 60_000,
          timeoutMs: 10_000,
          clock,
        })
      : undefined,
  });
  const { packages } = wirePackages({
    sign: (tx, name, version, integrity) => signer.sign(tx, name, version, integrity),
    store,
    blobs,
    clock,
    baseUrl: () => baseUrl,
    limits: { maxUnpackedBytes: config.maxUnpackedBytes, maxFileCount: config.maxFileCount, maxPathDepth: config.maxPathDepth },
    manifestLimits: { maxManifestBytes: config.maxManifestBytes, maxReadmeBytes: config.maxReadmeBytes },
    unpublishWindowHours: config.unpublishWindowHours,
    packumentCacheBytes: packumentShare(config.readCacheBytes),
    inspectBudgetMs: config.tarballInspectMs,
    anonymousReads: config.anonymousReads,
  });
  // Second factors and the maintainer policy, before a publish body is read and before every change.
  packages.addPublishStep(secondFactorStep(mfa.writes), { after: 'authorize' });
  packages.setWriteCheck((context, write) => mfa.writes.check(context, write));
  // A package confirmed malicious as a whole takes no new version (domain/malicious).
  packages.addPublishStep(maliciousPackageStep(store.malicious), { after: 'second-factor' });
  // Typosquatting: a new name that is protected or imitates a popular one (docs/typosquatting.md).
  const { names, publishStep: typosquatStep } = wireNames({ store, clock, protectedNames, settings: config });
  packages.addPublishStep(typosquatStep, { after: 'policy' });
  const scanning = config.scanEnabled
    ? wireScanning({
        store,
        now: () => new Date(clock.now()),
        packages,
        rulesFile: config.scanRulesFile,
        disabledRules: listOf(config.scanDisabledRules),
        limits: { maxFileBytes: config.scanMaxFileBytes, maxTotalBytes: config.scanMaxTotalBytes },
        // Imported OSV MAL- advisories block their versions at publish (the advisories domain, defined below).
        maliciousVersions: deps.maliciousVersions ?? {
          maliciousAdvisory: async (name, version) => (await advisories.isMalicious(name, version))?.id,
        },
      }).scanning
    : undefined;
  const { provenance } = wireProvenance({
    store,
    packages,
    trustedRootPath: config.provenanceTrustedRoot,
    writeCheck: (context) => mfa.writes.check(context, 'owners'),
    publishAttestations: config.publishAttestationLog
      ? { log: new RekorClient(config.publishAttestationLog, 10_000), signer, registry: () => baseUrl }
      : undefined,
  });
  const { trust } = wireTrust({
    store,
    clock,
    settings: config,
    baseUrl: () => baseUrl,
    jobs,
    writeCheck: (context) => mfa.writes.check(context, 'owners'),
  });
  // This instance's changes arrive at commit (deliveringCommitted), other instances' by the poll.
  events.subscribe((event) => {
    if (event.packageName) packages.packuments.invalidate(event.packageName);
    if (event.type === 'token.revoked') tokens.forget(event.data.tokenId);
    // Who reads a private package may have changed: the entries that say so are rebuilt on next read.
    if (ACCESS_EVENTS.has(event.type)) packages.packuments.invalidateRestricted();
  });
  const orgs = new OrgService(store, () => new Date(clock.now()));
  const { staging } = wireStaging({
    store,
    blobs,
    clock,
    packages,
    writeCheck: (context, write) => mfa.writes.check(context, write),
  });
  const { advisories } = wireAdvisories({
    store,
    clock,
    anonymousReads: config.anonymousReads,
    sources: OSV_FILES,
    // What the package page would show this reader: a package it may not read has no versions here either.
    servedVersions: async (context, name) => {
      let parsed;
      try {
        parsed = parsePackageName(name);
      } catch {
        return undefined;
      }
      const view = await packages.view(context, parsed);
      return view.kind === 'found' ? view.versions.map((v) => v.version) : undefined;
    },
  });
  await events.start();
  // Versions stored before registry signatures: every version must carry one (npm reports a missing one).
  const signingOlder = signer
    .signUnsigned()
    .catch((err: unknown) => process.emitWarning(`gatehouse: signing older versions failed: ${(err as Error).message}`));
  for (const job of guarded.jobs) jobs.define(job);
  const { downloads } = wireDownloads({ store, clock, jobs, flushMs: config.downloadFlushMs });
  // Not only for downloads: the guard's cleanup, the email-domain recheck (and later jobs) need the timer too.
  if (!deps.clock) jobs.start(config.downloadFlushMs > 0 ? Math.min(config.downloadFlushMs, 1000) : 1000);
  const transport = mailTransport(config);
  const warn = (message: string) => process.emitWarning(message);
  const { mail } = wireMail({
    store,
    transport,
    clock,
    jobs,
    from: config.mailFrom || `Gatehouse <noreply@${mailHost(config)}>`,
    baseUrl: () => baseUrl,
    owner,
    verificationHours: config.emailVerificationHours,
    ownerGone: instanceGone,
    // With a test's clock there is no job: the test sends what is owed with mail.deliver().
    intervalMs: deps.clock ? 0 : config.mailIntervalMs,
    warn,
  });
  events.subscribe((event) => {
    if (MAILED_EVENTS.has(event.type))
      void mail.deliver().catch((err: unknown) => warn(`gatehouse: mail run failed: ${(err as Error).name}`));
    // A cached token still carries the unverified account; publishing must work at once.
    if (event.type === 'email.verified' && event.actor.kind === 'user') tokens.forgetUser(event.actor.userId);
    // Cached tokens carry the address and its verified flag; a changed address must not stay verified there.
    if (event.type === 'email.changed' && event.actor.kind === 'user') tokens.forgetUser(event.actor.userId);
  });
  if (config.mailIntervalMs > 0 && !deps.clock) {
    // What a crash left owed goes out now, not at the first interval.
    void mail.deliver().catch((err: unknown) => warn(`gatehouse: mail run failed: ${(err as Error).name}`));
  }
  const reports = wireReports({
    store,
    clock,
    blobs,
    baseUrl: () => baseUrl,
    perDay: config.reportsPerDay,
    moderationCheck: (context, code) => mfa.writes.moderation(context, code),
    jobs,
    limits: {
      maxUnpackedBytes: config.maxUnpackedBytes,
      maxFileCount: config.maxFileCount,
      maxPathDepth: config.maxPathDepth,
      maxPackageJsonBytes: 1024 * 1024,
    },
    inspectBudgetMs: config.tarballInspectMs,
  });
  const transparency = await openTransparency(config, { store, clock, jobs, testClock: deps.clock !== undefined, warn });
  events.subscribe((event) => {
    if (LOGGED_EVENTS.has(event.type)) transparency.wake();
  });
  return {
    reports,
    config,
    store,
    blobs,
    transparency,
    tokens,
    granularTokens,
    accounts,
    webLogins,
    sessions,
    accountSecurity,
    webauthn,
    writeApprovals,
    accountChanges,
    signup,
    verification,
    mail,
    packages,
    orgs,
    events,
    downloads,
    passwordScreen,
    emailDomains,
    secondFactor: mfa.secondFactor,
    mfa,
    recovery,
    critical,
    trust,
    signer,
    secretScanning,
    scanning,
    jobs,
    clock,
    staging,
    names,
    advisories,
    baseUrl: () => baseUrl,
    setBaseUrl(url) {
      if (config.publicUrl || url === baseUrl) return;
      baseUrl = url;
      packages.packuments.clear();
    },
    async close() {
      await recovery.passwordReset.settled();
      await signingOlder;
      await events.stop();
      await jobs.stop();
      await mail.stop();
      await transparency.stop();
      OWNERS_HERE.delete(owner);
      await transport.close();
      // Counts since the last flush would otherwise be lost on every restart.
      await tokens.flushUses();
      await downloads
        .flush()
        .catch((err: unknown) => process.emitWarning(`gatehouse: final download flush failed: ${(err as Error).message}`));
      await store.close();
      if (redis) await closeRedis(redis);
    },
    securityAssessment: wireSecurityAssessment({ settings: config, store, clock }),
    auditLog: wireAuditLog({ store }),
    provenance,
    quarantine: wireQuarantine({
      store,
      now: () => new Date(clock.now()),
      moderationCheck: (context, code) => mfa.writes.moderation(context, code),
    }).quarantine,
  };
}

const HOUR_MS = 60 * 60 * 1000;

async function openTransparency(
  config: Config,
  deps: { store: Store; clock: Clock; jobs: JobRunner; testClock: boolean; warn: (message: string) => void },
): Promise<TransparencyLog> {
  const host = config.publicUrl ? new URL(config.publicUrl).hostname : hostname() || 'localhost';
  try {
    const { transparency } = await wireTransparency({
      store: deps.store,
      clock: deps.clock,
      jobs: deps.jobs,
      origin: config.tlogOrigin || `${host}/tlog`,
      witnesses: config.tlogWitnesses,
      witnessClient: new HttpWitnessClient(10_000),
      // With a test's clock there is no job: the test appends with transparency.sync().
      intervalMs: deps.testClock ? 0 : config.tlogIntervalMs,
      warn: deps.warn,
    });
    return transparency;
  } catch (err) {
    if (err instanceof TypeError) throw new ConfigError(`tlogWitnesses (GATEHOUSE_TLOG_WITNESSES): ${err.message}`);
    throw err;
  }
}
/** A comma-separated setting as a list, blanks dropped. */
function listOf(setting: string): string[] {
  return setting
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

function guessLimits(config: Config): GuessLimits {
  return {
    backoffAfter: config.guessBackoffAfter,
    lockAfter: config.guessLockAfter,
    addressBackoffAfter: config.guessAddressBackoffAfter,
    addressLockAfter: config.guessAddressLockAfter,
    firstBackoffMs: config.guessBackoffSeconds * 1000,
    maxBackoffMs: config.guessBackoffMaxSeconds * 1000,
    lockMs: config.guessLockMinutes * 60 * 1000,
  };
}

/** The read cache is split: two thirds for packuments (every install reads them), the rest for tarballs. */
export function packumentShare(readCacheBytes: number): number {
  return Math.floor((readCacheBytes * 2) / 3);
}

/** SMTP when configured, else one .eml file per mail in the data folder's outbox. */
function mailTransport(config: Config): MailTransport {
  if (config.smtpUrl) return new SmtpMailTransport(config.smtpUrl);
  const folder = new OutboxFolderTransport(join(config.dataDir, 'mail', 'outbox'));
  // Left by a crash mid-write; the mail itself is retried under its own name.
  void folder.sweepTemporary(60 * 60 * 1000);
  return folder;
}

/** The From address's host: the public URL's, else this machine's name. */
function mailHost(config: Config): string {
  if (config.publicUrl) return new URL(config.publicUrl).hostname;
  return hostname() || 'localhost';
}

/** The instance names of the registries open in this process (tests open several). */
const OWNERS_HERE = new Set<string>();

/**
 * An instance name (`host:pid:random`, as built above) whose process has ended on this machine.
 * Another machine's instances, and a pid now used by another process, count as alive: their claims
 * wait out their expiry instead.
 */
function instanceGone(owner: string): boolean {
  const [host, pid] = owner.split(':');
  if (host !== hostname() || !pid || !/^\d+$/.test(pid)) return false;
  // This process has that pid now (a restarted container is pid 1 again): the named instance ended,
  // unless it is one of the registries this process opened (tests open several).
  if (Number(pid) === process.pid) return !OWNERS_HERE.has(owner);
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
