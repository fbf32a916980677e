// The one typed configuration object. Every setting has a default, a comment and an environment
// name; a config file (JSON) may set any of them, and GATEHOUSE_* variables override the file.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export interface Config {
  /** Interface to bind. GATEHOUSE_HOST */
  host: string;
  /** Port to bind; 0 picks a free one. GATEHOUSE_PORT */
  port: number;
  /** Folder for the SQLite file, blobs and mail. GATEHOUSE_DATA_DIR */
  dataDir: string;
  /** postgres://… to use PostgreSQL; empty means SQLite in dataDir. GATEHOUSE_DATABASE_URL */
  databaseUrl: string;
  /** Base URL clients reach us at (tarball URLs, login links); defaults to http://host:port. GATEHOUSE_PUBLIC_URL */
  publicUrl: string;
  /**
   * Largest publish body, in bytes (the tarball travels base64-encoded, so about 96 MiB of tarball).
   * Real packages need more than 50 MB: next@16's 41.6 MiB tarball is a 55.5 MiB body. Only
   * authenticated publishes ever get this far. GATEHOUSE_MAX_BODY_BYTES
   */
  maxBodyBytes: number;
  /**
   * Largest package document written back without a tarball (\`npm unpublish name@v\` and \`npm owner\`
   * PUT the packument to /<name>/-rev/<rev>). Publish alone gets maxBodyBytes. GATEHOUSE_MAX_DOCUMENT_BYTES
   */
  maxDocumentBytes: number;
  /** Longest wait for a request's headers, in ms (slowloris). GATEHOUSE_HEADERS_TIMEOUT_MS */
  headersTimeoutMs: number;
  /** Longest wait for a whole request, headers and body, in ms. GATEHOUSE_REQUEST_TIMEOUT_MS */
  requestTimeoutMs: number;
  /** A connection with no byte in either direction for this long, mid-request, is closed (ms). GATEHOUSE_IDLE_TIMEOUT_MS */
  idleTimeoutMs: number;
  /** How long an idle keep-alive connection is kept between requests, in ms. GATEHOUSE_KEEP_ALIVE_TIMEOUT_MS */
  keepAliveTimeoutMs: number;
  /** Most open connections; further ones are closed at once. GATEHOUSE_MAX_CONNECTIONS */
  maxConnections: number;
  /** Largest unpacked size of one tarball. GATEHOUSE_MAX_UNPACKED_BYTES */
  maxUnpackedBytes: number;
  /** Most files in one tarball. GATEHOUSE_MAX_FILE_COUNT */
  maxFileCount: number;
  /** Deepest path inside a tarball. GATEHOUSE_MAX_PATH_DEPTH */
  maxPathDepth: number;
  /** Longest time one tarball's inspection (every inspector included) may take, in ms. GATEHOUSE_TARBALL_INSPECT_MS */
  tarballInspectMs: number;
  /** Largest version document (package.json as published, README excluded), in bytes. GATEHOUSE_MAX_MANIFEST_BYTES */
  maxManifestBytes: number;
  /** Largest README kept per version, in bytes; a longer one is cut with a note. GATEHOUSE_MAX_README_BYTES */
  maxReadmeBytes: number;
  /** Hours after publish during which a maintainer may unpublish a version. GATEHOUSE_UNPUBLISH_WINDOW_HOURS */
  unpublishWindowHours: number;
  /** How often each instance looks for changes made by other instances, in ms. GATEHOUSE_EVENT_POLL_MS */
  eventPollMs: number;
  /**
   * Memory kept for answering reads without a query: ready packuments (two thirds) and small
   * tarballs (one third), in bytes. More makes a large registry's reads faster. GATEHOUSE_READ_CACHE_BYTES
   */
  readCacheBytes: number;
  /**
   * The first this many bytes of a README are rendered as markdown on the web page; the rest is
   * shown as plain text. Rendering is superlinear on crafted input. GATEHOUSE_README_RENDER_BYTES
   */
  readmeRenderBytes: number;
  /** Longest one README render may run before the page shows it as plain text, in ms. GATEHOUSE_README_RENDER_TIMEOUT_MS */
  readmeRenderTimeoutMs: number;
  /** Worker threads rendering READMEs (at least 1); reads never wait for them. GATEHOUSE_README_RENDER_THREADS */
  readmeRenderThreads: number;
  /** READMEs waiting for a thread beyond which a page shows plain text now and renders on a later view. GATEHOUSE_README_RENDER_QUEUE */
  readmeRenderQueue: number;
  /**
   * Password hashes (logins, sign-ins, user creation) running at once in this process, at least 1.
   * Each is a 16 MiB scrypt on one of libuv's four threads, which tarball reads also need; a few
   * more wait their turn and the rest are refused with 429. GATEHOUSE_PASSWORD_HASH_CONCURRENCY
   */
  passwordHashConcurrency: number;
  /** Unfinished web logins (`npm login`) one client address may hold open. GATEHOUSE_PENDING_WEB_LOGINS_PER_IP */
  pendingWebLoginsPerIp: number;
  /**
   * How often each instance writes its in-memory download counts to the database, in ms; a crash
   * loses at most this much counting. 0 turns download counting off. GATEHOUSE_DOWNLOAD_FLUSH_MS
   */
  downloadFlushMs: number;
  /**
   * Proxies whose X-Forwarded-For is believed: comma-separated IP addresses and CIDR ranges (IPv4
   * or IPv6). Empty, the default, believes none: the client address is the socket's. GATEHOUSE_TRUSTED_PROXIES
   */
  trustedProxies: string;
  /** pino level: fatal, error, warn, info, debug, trace, silent. GATEHOUSE_LOG_LEVEL */
  logLevel: string;
  /**
   * Base URL of a Have I Been Pwned range API (e.g. https://api.pwnedpasswords.com); empty, the
   * default, screens passwords against the bundled list only. GATEHOUSE_HIBP_URL
   */
  hibpUrl: string;
  /** Longest wait for the range API, in ms; past it the bundled list answers. GATEHOUSE_HIBP_TIMEOUT_MS */
  hibpTimeoutMs: number;
  /** DNS servers for the email-domain check, comma-separated host:port; empty uses the system's. GATEHOUSE_DNS_SERVERS */
  dnsServers: string;
  /** Per-query DNS timeout in ms (each query is tried twice). GATEHOUSE_DNS_TIMEOUT_MS */
  dnsTimeoutMs: number;
  /**
   * Parking services' name-server and mail-host domains, comma-separated; a domain served by one
   * is dead. Empty, the default, uses the built-in list (docs/email-domains.md). GATEHOUSE_PARKED_DOMAIN_HOSTS
   */
  parkedDomainHosts: string;
  /** Milliseconds between runs of the email-domain recheck; 0 turns it off. GATEHOUSE_EMAIL_DOMAIN_CHECK_MS */
  emailDomainCheckMs: number;
  /** Domains resolved per run of the recheck, one after another. GATEHOUSE_EMAIL_DOMAIN_BATCH */
  emailDomainBatch: number;
  /** Hours after which a domain is checked again. GATEHOUSE_EMAIL_DOMAIN_RECHECK_HOURS */
  emailDomainRecheckHours: number;
  /**
   * redis://… to keep brute-force counters in Redis, shared by every instance using it; empty keeps
   * them in the database (shared by instances on one PostgreSQL). GATEHOUSE_REDIS_URL
   */
  redisUrl: string;
  /** Prepended to every Redis key, so one Redis can serve several registries. GATEHOUSE_REDIS_KEY_PREFIX */
  redisKeyPrefix: string;
  /** Wrong guesses of one account's password, code or link before each further guess must wait. GATEHOUSE_GUESS_BACKOFF_AFTER */
  guessBackoffAfter: number;
  /** Wrong guesses after which the account is locked for guessLockMinutes (1–1000). GATEHOUSE_GUESS_LOCK_AFTER */
  guessLockAfter: number;
  /** The same for one client address over every account it tries. GATEHOUSE_GUESS_ADDRESS_BACKOFF_AFTER */
  guessAddressBackoffAfter: number;
  /** Wrong guesses from one address (an IPv6 /64) before it is locked (1–1000). GATEHOUSE_GUESS_ADDRESS_LOCK_AFTER */
  guessAddressLockAfter: number;
  /** The first wait, in seconds; each further wrong guess doubles it. GATEHOUSE_GUESS_BACKOFF_SECONDS */
  guessBackoffSeconds: number;
  /** The longest wait before the lock, in seconds. GATEHOUSE_GUESS_BACKOFF_MAX_SECONDS */
  guessBackoffMaxSeconds: number;
  /** How long a lock lasts; counters with no guess for this long are forgotten. GATEHOUSE_GUESS_LOCK_MINUTES */
  guessLockMinutes: number;
  /**
   * Maintainers must have a second factor to publish or change owners (after mfaGraceDays).
   * Trusted publishing is never held to it. GATEHOUSE_MFA_REQUIRED_FOR_MAINTAINERS
   */
  mfaRequiredForMaintainers: boolean;
  /**
   * Days from an account's creation, or from the policy's first day on this registry if later,
   * during which a maintainer without a second factor is warned instead of refused. GATEHOUSE_MFA_GRACE_DAYS
   */
  mfaGraceDays: number;
  /** Second factors a user may newly set up: `any`, or `webauthn-only` (no new TOTP). GATEHOUSE_MFA_NEW_FACTORS */
  mfaNewFactors: 'any' | 'webauthn-only';
  /**
   * Key sealing TOTP secrets (AES-256-GCM), base64 of 32 bytes; set the same one on every instance
   * of a fleet. Empty: generated once into <dataDir>/mfa-secret.key. GATEHOUSE_MFA_SECRET_KEY
   */
  mfaSecretKey: string;
  /**
   * smtp:// or smtps:// URL (credentials included) mail is sent through; empty writes each mail as
   * an .eml file under <dataDir>/mail/outbox/ instead. GATEHOUSE_SMTP_URL
   */
  smtpUrl: string;
  /** The From of every mail; empty means `Gatehouse <noreply@HOST>`, HOST from publicUrl or this machine. GATEHOUSE_MAIL_FROM */
  mailFrom: string;
  /** How often the outbox worker looks for mails owed by other instances' changes, in ms (0: only on commits here). GATEHOUSE_MAIL_INTERVAL_MS */
  mailIntervalMs: number;
  /**
   * `on`: anyone may create an account (`npm adduser`, the /signup page), as on npm's registry and
   * Verdaccio; the account cannot publish until its address is verified. `off`: only
   * `gatehouse user create` makes accounts. GATEHOUSE_SIGNUP
   */
  signup: string;
  /** Hours an email verification link works. GATEHOUSE_EMAIL_VERIFICATION_HOURS */
  emailVerificationHours: number;
  /** A web session unused for this many minutes ends (the idle timeout). GATEHOUSE_SESSION_IDLE_MINUTES */
  sessionIdleMinutes: number;
  /** A web session ends this many hours after sign-in, however active (the absolute timeout). GATEHOUSE_SESSION_ABSOLUTE_HOURS */
  sessionAbsoluteHours: number;
  /** Tokens from `npm login` (web and legacy) expire after this many hours; `npm token create` tokens do not. GATEHOUSE_LOGIN_TOKEN_HOURS */
  loginTokenHours: number;
  /** Minutes a password reset link works. GATEHOUSE_PASSWORD_RESET_MINUTES */
  passwordResetMinutes: number;
  /**
   * Hours an account stays read-only after an email change, the use of a recovery code or an
   * admin-assisted recovery (0: never). GATEHOUSE_RESTRICTED_HOURS
   */
  restrictedHours: number;
  /** Who is put read-only: `critical-maintainers` (owners of a critical package) or `everyone`. GATEHOUSE_RESTRICTED_ACCOUNTS */
  restrictedAccounts: 'critical-maintainers' | 'everyone';
  /** Critical packages: this share of all packages, in percent, by downloads over 30 days. GATEHOUSE_CRITICAL_PERCENT */
  criticalPercent: number;
  /** A critical package has at least this many downloads in the last 30 days. GATEHOUSE_CRITICAL_MIN_DOWNLOADS */
  criticalMinDownloads: number;
  /** With few packages, at least this many of the most downloaded are critical (if over the floor). GATEHOUSE_CRITICAL_MIN_TOP */
  criticalMinTop: number;
  /** How often the critical-package list is computed, in ms (0: never; the list stays as stored). GATEHOUSE_CRITICAL_INTERVAL_MS */
  criticalIntervalMs: number;
  /**
   * Maintainers of critical packages need a security key or passkey to publish or change owners.
   * GATEHOUSE_CRITICAL_REQUIRE_SECURITY_KEY
   */
  criticalRequireSecurityKey: boolean;
  /** Days a token from `npm token create` or the account page lives when no expiry is asked for. GATEHOUSE_TOKEN_DEFAULT_DAYS */
  tokenDefaultDays: number;
  /** The longest expiry, in days, a token may be created with (login tokens follow loginTokenHours). GATEHOUSE_TOKEN_MAX_DAYS */
  tokenMaxDays: number;
  /** Whether anyone without a token may read public packages; off, every read needs a token. GATEHOUSE_ANONYMOUS_READS */
  anonymousReads: boolean;
  /** GitHub Actions' OIDC issuer; its enterprise issuers are this plus `/<slug>`. GATEHOUSE_OIDC_GITHUB_ISSUER */
  oidcGithubIssuer: string;
  /** GitLab's OIDC issuer (gitlab.com; a self-hosted GitLab goes in oidcIssuers). GATEHOUSE_OIDC_GITLAB_ISSUER */
  oidcGitlabIssuer: string;
  /** CircleCI's issuer prefix; an organisation's issuer is this plus `/<org id>`. GATEHOUSE_OIDC_CIRCLECI_ISSUER */
  oidcCircleciIssuer: string;
  /**
   * More issuers an administrator trusts, as JSON: `[{"issuer": "https://gitlab.example", "claims": ["project_path", "ref"]}]`;
   * `claims` are the claim rules, the names every configuration for that issuer must match exactly. GATEHOUSE_OIDC_ISSUERS
   */
  oidcIssuers: string;
  /** Seconds of clock difference allowed on an ID token's exp, nbf and iat. GATEHOUSE_OIDC_CLOCK_SKEW_SECONDS */
  oidcClockSkewSeconds: number;
  /** Longest wait for an issuer's discovery document or key set, in ms; then the exchange fails closed. GATEHOUSE_OIDC_FETCH_TIMEOUT_MS */
  oidcFetchTimeoutMs: number;
  /**
   * An ID token naming a key the cached key set lacks (a rotation, or a forgery) refetches the
   * set at most once per this many seconds. GATEHOUSE_OIDC_KEYS_COOLDOWN_SECONDS
   */
  oidcKeysCooldownSeconds: number;
  /** Minutes a trusted-publishing token lives (at most 15). GATEHOUSE_TRUST_TOKEN_MINUTES */
  trustTokenMinutes: number;
  /** Hours a pending trusted publisher waits for the first publish of its package. GATEHOUSE_TRUST_PENDING_HOURS */
  trustPendingHours: number;
  /**
   * After `gatehouse keys rotate`, how long the old signing key still covers new versions, in
   * minutes (a publish already under way when the rotation committed). GATEHOUSE_SIGNING_KEY_GRACE_MINUTES
   */
  signingKeyGraceMinutes: number;
  /** Where GitHub's secret-scanning public keys are fetched (empty: the endpoint is off). GATEHOUSE_SECRET_SCANNING_KEYS_URL */
  secretScanningKeysUrl: string;
  /** How long fetched secret-scanning keys are kept before they are fetched again, in minutes. GATEHOUSE_SECRET_SCANNING_KEYS_CACHE_MINUTES */
  secretScanningKeysCacheMinutes: number;
  /** Reports one account may file in any 24 hours; more are refused with 429. GATEHOUSE_REPORTS_PER_DAY */
  reportsPerDay: number;
  /**
   * Where vulnerabilities in this registry are reported: comma-separated mailto:, https: or tel: URIs
   * for security.txt and the policy page; empty: mailto:security@<public URL's host>. GATEHOUSE_SECURITY_CONTACT
   */
  securityContact: string;
  /** security.txt's Expires is this many days after each request (1–365). GATEHOUSE_SECURITY_TXT_EXPIRES_DAYS */
  securityTxtExpiresDays: number;
  /** Languages reports may be written in, comma-separated tags (security.txt Preferred-Languages). GATEHOUSE_SECURITY_LANGUAGES */
  securityLanguages: string;
  /** The disclosure policy's URL in security.txt; empty: this registry's /policies/security. GATEHOUSE_SECURITY_POLICY_URL */
  securityPolicyUrl: string;
  /**
   * The transparency log's name (its checkpoints' origin line and key name), fixed when its key is
   * first made; empty: the public URL's host (else this machine's name) followed by /tlog. GATEHOUSE_TLOG_ORIGIN
   */
  tlogOrigin: string;
  /**
   * Witnesses that cosign the log's checkpoints: comma-separated `<vkey> <url>` pairs, the vkey in
   * signed-note form (`name+keyid+base64`), the URL the one /add-checkpoint is under. GATEHOUSE_TLOG_WITNESSES
   */
  tlogWitnesses: string;
  /** How often the transparency log appends other instances' events and retries witnesses, in ms. GATEHOUSE_TLOG_INTERVAL_MS */
  tlogIntervalMs: number;
  /**
   * A new name that resembles a protected or popular one: `refuse` it (403), `hold` it for an
   * administrator's review, or `off` (docs/typosquatting.md). GATEHOUSE_TYPOSQUAT_POLICY
   */
  typosquatPolicy: string;
  /** TSV `name<TAB>downloads_a_month` with a header row; empty: the bundled data/npm-top-10000.tsv. GATEHOUSE_PROTECTED_NAMES */
  protectedNames: string;
  /** How many of this registry's most downloaded packages count as popular names too. GATEHOUSE_TYPOSQUAT_POPULAR_TOP */
  typosquatPopularTop: number;
  /** How often that ranking is read again, in minutes. GATEHOUSE_TYPOSQUAT_POPULAR_MINUTES */
  typosquatPopularMinutes: number;
  /** Malware scanning of every publish (docs/malware-scanning.md); off publishes unscanned. GATEHOUSE_SCAN_ENABLED */
  scanEnabled: boolean;
  /** The scan rule file (JSON); empty: the bundled data/scan-rules.json. GATEHOUSE_SCAN_RULES_FILE */
  scanRulesFile: string;
  /** Comma-separated rule ids switched off for this deployment (admins switch others off by API). GATEHOUSE_SCAN_DISABLED_RULES */
  scanDisabledRules: string;
  /** Bytes of one file the scan reads as text; beyond it the rest of the file is not read. GATEHOUSE_SCAN_MAX_FILE_BYTES */
  scanMaxFileBytes: number;
  /** Bytes of one tarball's files the scan reads as text in all. GATEHOUSE_SCAN_MAX_TOTAL_BYTES */
  scanMaxTotalBytes: number;
  /**
   * A Sigstore trusted_root.json that provenance bundles must chain to (Fulcio CAs, Rekor and CT
   * log keys); empty: Sigstore's public-good root as bundled. GATEHOUSE_PROVENANCE_TRUSTED_ROOT
   */
  provenanceTrustedRoot: string;
  /**
   * A Rekor log's base URL (Sigstore's public one: https://rekor.sigstore.dev) where the registry
   * logs the publish attestation it signs for every trusted publish; empty: none is issued (npm
   * refuses an attestation no log recorded). GATEHOUSE_PUBLISH_ATTESTATION_LOG
   */
  publishAttestationLog: string;
}

export const DEFAULTS: Config = {
  host: '127.0.0.1',
  port: 4873,
  dataDir: './.gatehouse',
  databaseUrl: '',
  publicUrl: '',
  maxBodyBytes: 128 * 1024 * 1024,
  maxDocumentBytes: 10 * 1024 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 120_000,
  idleTimeoutMs: 60_000,
  keepAliveTimeoutMs: 65_000,
  maxConnections: 1000,
  maxUnpackedBytes: 256 * 1024 * 1024,
  maxFileCount: 20_000,
  maxPathDepth: 32,
  tarballInspectMs: 30_000,
  maxManifestBytes: 1024 * 1024,
  maxReadmeBytes: 1024 * 1024,
  unpublishWindowHours: 72,
  eventPollMs: 1000,
  readCacheBytes: 32 * 1024 * 1024,
  readmeRenderBytes: 64 * 1024,
  readmeRenderTimeoutMs: 2000,
  readmeRenderThreads: 1,
  readmeRenderQueue: 8,
  passwordHashConcurrency: 2,
  pendingWebLoginsPerIp: 10,
  downloadFlushMs: 10_000,
  trustedProxies: '',
  logLevel: 'info',
  hibpUrl: '',
  hibpTimeoutMs: 1500,
  dnsServers: '',
  dnsTimeoutMs: 2000,
  parkedDomainHosts: '',
  emailDomainCheckMs: 10 * 60 * 1000,
  emailDomainBatch: 20,
  emailDomainRecheckHours: 7 * 24,
  redisUrl: '',
  redisKeyPrefix: 'gatehouse:',
  guessBackoffAfter: 5,
  guessLockAfter: 10,
  guessAddressBackoffAfter: 20,
  guessAddressLockAfter: 50,
  guessBackoffSeconds: 1,
  guessBackoffMaxSeconds: 60,
  guessLockMinutes: 15,
  mfaRequiredForMaintainers: true,
  mfaGraceDays: 14,
  mfaNewFactors: 'any',
  mfaSecretKey: '',
  smtpUrl: '',
  mailFrom: '',
  mailIntervalMs: 2000,
  signup: 'on',
  emailVerificationHours: 24,
  sessionIdleMinutes: 30,
  sessionAbsoluteHours: 12,
  loginTokenHours: 12,
  passwordResetMinutes: 60,
  restrictedHours: 72,
  restrictedAccounts: 'critical-maintainers',
  criticalPercent: 1,
  criticalMinDownloads: 1000,
  criticalMinTop: 5,
  criticalIntervalMs: 60 * 60 * 1000,
  criticalRequireSecurityKey: true,
  tokenDefaultDays: 30,
  tokenMaxDays: 365,
  anonymousReads: true,
  oidcGithubIssuer: 'https://token.actions.githubusercontent.com',
  oidcGitlabIssuer: 'https://gitlab.com',
  oidcCircleciIssuer: 'https://oidc.circleci.com/org',
  oidcIssuers: '',
  oidcClockSkewSeconds: 60,
  oidcFetchTimeoutMs: 5000,
  oidcKeysCooldownSeconds: 30,
  trustTokenMinutes: 15,
  trustPendingHours: 72,
  signingKeyGraceMinutes: 5,
  secretScanningKeysUrl: '',
  secretScanningKeysCacheMinutes: 60,
  reportsPerDay: 20,
  securityContact: '',
  securityTxtExpiresDays: 364,
  securityLanguages: 'en',
  securityPolicyUrl: '',
  tlogOrigin: '',
  tlogWitnesses: '',
  tlogIntervalMs: 2000,
  typosquatPolicy: 'refuse',
  protectedNames: '',
  typosquatPopularTop: 1000,
  typosquatPopularMinutes: 60,
  scanEnabled: true,
  scanRulesFile: '',
  scanDisabledRules: '',
  scanMaxFileBytes: 16 * 1024 * 1024,
  scanMaxTotalBytes: 128 * 1024 * 1024,
  provenanceTrustedRoot: '',
  publishAttestationLog: '',
};

const ENV_NAMES: { [K in keyof Config]: string } = {
  host: 'GATEHOUSE_HOST',
  port: 'GATEHOUSE_PORT',
  dataDir: 'GATEHOUSE_DATA_DIR',
  databaseUrl: 'GATEHOUSE_DATABASE_URL',
  publicUrl: 'GATEHOUSE_PUBLIC_URL',
  maxBodyBytes: 'GATEHOUSE_MAX_BODY_BYTES',
  maxDocumentBytes: 'GATEHOUSE_MAX_DOCUMENT_BYTES',
  headersTimeoutMs: 'GATEHOUSE_HEADERS_TIMEOUT_MS',
  requestTimeoutMs: 'GATEHOUSE_REQUEST_TIMEOUT_MS',
  idleTimeoutMs: 'GATEHOUSE_IDLE_TIMEOUT_MS',
  keepAliveTimeoutMs: 'GATEHOUSE_KEEP_ALIVE_TIMEOUT_MS',
  maxConnections: 'GATEHOUSE_MAX_CONNECTIONS',
  maxUnpackedBytes: 'GATEHOUSE_MAX_UNPACKED_BYTES',
  maxFileCount: 'GATEHOUSE_MAX_FILE_COUNT',
  maxPathDepth: 'GATEHOUSE_MAX_PATH_DEPTH',
  tarballInspectMs: 'GATEHOUSE_TARBALL_INSPECT_MS',
  maxManifestBytes: 'GATEHOUSE_MAX_MANIFEST_BYTES',
  maxReadmeBytes: 'GATEHOUSE_MAX_README_BYTES',
  unpublishWindowHours: 'GATEHOUSE_UNPUBLISH_WINDOW_HOURS',
  eventPollMs: 'GATEHOUSE_EVENT_POLL_MS',
  readCacheBytes: 'GATEHOUSE_READ_CACHE_BYTES',
  readmeRenderBytes: 'GATEHOUSE_README_RENDER_BYTES',
  readmeRenderTimeoutMs: 'GATEHOUSE_README_RENDER_TIMEOUT_MS',
  readmeRenderThreads: 'GATEHOUSE_README_RENDER_THREADS',
  readmeRenderQueue: 'GATEHOUSE_README_RENDER_QUEUE',
  passwordHashConcurrency: 'GATEHOUSE_PASSWORD_HASH_CONCURRENCY',
  pendingWebLoginsPerIp: 'GATEHOUSE_PENDING_WEB_LOGINS_PER_IP',
  downloadFlushMs: 'GATEHOUSE_DOWNLOAD_FLUSH_MS',
  trustedProxies: 'GATEHOUSE_TRUSTED_PROXIES',
  logLevel: 'GATEHOUSE_LOG_LEVEL',
  hibpUrl: 'GATEHOUSE_HIBP_URL',
  hibpTimeoutMs: 'GATEHOUSE_HIBP_TIMEOUT_MS',
  dnsServers: 'GATEHOUSE_DNS_SERVERS',
  dnsTimeoutMs: 'GATEHOUSE_DNS_TIMEOUT_MS',
  parkedDomainHosts: 'GATEHOUSE_PARKED_DOMAIN_HOSTS',
  emailDomainCheckMs: 'GATEHOUSE_EMAIL_DOMAIN_CHECK_MS',
  emailDomainBatch: 'GATEHOUSE_EMAIL_DOMAIN_BATCH',
  emailDomainRecheckHours: 'GATEHOUSE_EMAIL_DOMAIN_RECHECK_HOURS',
  redisUrl: 'GATEHOUSE_REDIS_URL',
  redisKeyPrefix: 'GATEHOUSE_REDIS_KEY_PREFIX',
  guessBackoffAfter: 'GATEHOUSE_GUESS_BACKOFF_AFTER',
  guessLockAfter: 'GATEHOUSE_GUESS_LOCK_AFTER',
  guessAddressBackoffAfter: 'GATEHOUSE_GUESS_ADDRESS_BACKOFF_AFTER',
  guessAddressLockAfter: 'GATEHOUSE_GUESS_ADDRESS_LOCK_AFTER',
  guessBackoffSeconds: 'GATEHOUSE_GUESS_BACKOFF_SECONDS',
  guessBackoffMaxSeconds: 'GATEHOUSE_GUESS_BACKOFF_MAX_SECONDS',
  guessLockMinutes: 'GATEHOUSE_GUESS_LOCK_MINUTES',
  mfaRequiredForMaintainers: 'GATEHOUSE_MFA_REQUIRED_FOR_MAINTAINERS',
  mfaGraceDays: 'GATEHOUSE_MFA_GRACE_DAYS',
  mfaNewFactors: 'GATEHOUSE_MFA_NEW_FACTORS',
  mfaSecretKey: 'GATEHOUSE_MFA_SECRET_KEY',
  smtpUrl: 'GATEHOUSE_SMTP_URL',
  mailFrom: 'GATEHOUSE_MAIL_FROM',
  mailIntervalMs: 'GATEHOUSE_MAIL_INTERVAL_MS',
  signup: 'GATEHOUSE_SIGNUP',
  emailVerificationHours: 'GATEHOUSE_EMAIL_VERIFICATION_HOURS',
  sessionIdleMinutes: 'GATEHOUSE_SESSION_IDLE_MINUTES',
  sessionAbsoluteHours: 'GATEHOUSE_SESSION_ABSOLUTE_HOURS',
  loginTokenHours: 'GATEHOUSE_LOGIN_TOKEN_HOURS',
  passwordResetMinutes: 'GATEHOUSE_PASSWORD_RESET_MINUTES',
  restrictedHours: 'GATEHOUSE_RESTRICTED_HOURS',
  restrictedAccounts: 'GATEHOUSE_RESTRICTED_ACCOUNTS',
  criticalPercent: 'GATEHOUSE_CRITICAL_PERCENT',
  criticalMinDownloads: 'GATEHOUSE_CRITICAL_MIN_DOWNLOADS',
  criticalMinTop: 'GATEHOUSE_CRITICAL_MIN_TOP',
  criticalIntervalMs: 'GATEHOUSE_CRITICAL_INTERVAL_MS',
  criticalRequireSecurityKey: 'GATEHOUSE_CRITICAL_REQUIRE_SECURITY_KEY',
  tokenDefaultDays: 'GATEHOUSE_TOKEN_DEFAULT_DAYS',
  tokenMaxDays: 'GATEHOUSE_TOKEN_MAX_DAYS',
  anonymousReads: 'GATEHOUSE_ANONYMOUS_READS',
  oidcGithubIssuer: 'GATEHOUSE_OIDC_GITHUB_ISSUER',
  oidcGitlabIssuer: 'GATEHOUSE_OIDC_GITLAB_ISSUER',
  oidcCircleciIssuer: 'GATEHOUSE_OIDC_CIRCLECI_ISSUER',
  oidcIssuers: 'GATEHOUSE_OIDC_ISSUERS',
  oidcClockSkewSeconds: 'GATEHOUSE_OIDC_CLOCK_SKEW_SECONDS',
  oidcFetchTimeoutMs: 'GATEHOUSE_OIDC_FETCH_TIMEOUT_MS',
  oidcKeysCooldownSeconds: 'GATEHOUSE_OIDC_KEYS_COOLDOWN_SECONDS',
  trustTokenMinutes: 'GATEHOUSE_TRUST_TOKEN_MINUTES',
  trustPendingHours: 'GATEHOUSE_TRUST_PENDING_HOURS',
  signingKeyGraceMinutes: 'GATEHOUSE_SIGNING_KEY_GRACE_MINUTES',
  secretScanningKeysUrl: 'GATEHOUSE_SECRET_SCANNING_KEYS_URL',
  secretScanningKeysCacheMinutes: 'GATEHOUSE_SECRET_SCANNING_KEYS_CACHE_MINUTES',
  reportsPerDay: 'GATEHOUSE_REPORTS_PER_DAY',
  securityContact: 'GATEHOUSE_SECURITY_CONTACT',
  securityTxtExpiresDays: 'GATEHOUSE_SECURITY_TXT_EXPIRES_DAYS',
  securityLanguages: 'GATEHOUSE_SECURITY_LANGUAGES',
  securityPolicyUrl: 'GATEHOUSE_SECURITY_POLICY_URL',
  tlogOrigin: 'GATEHOUSE_TLOG_ORIGIN',
  tlogWitnesses: 'GATEHOUSE_TLOG_WITNESSES',
  tlogIntervalMs: 'GATEHOUSE_TLOG_INTERVAL_MS',
  typosquatPolicy: 'GATEHOUSE_TYPOSQUAT_POLICY',
  protectedNames: 'GATEHOUSE_PROTECTED_NAMES',
  typosquatPopularTop: 'GATEHOUSE_TYPOSQUAT_POPULAR_TOP',
  typosquatPopularMinutes: 'GATEHOUSE_TYPOSQUAT_POPULAR_MINUTES',
  scanEnabled: 'GATEHOUSE_SCAN_ENABLED',
  scanRulesFile: 'GATEHOUSE_SCAN_RULES_FILE',
  scanDisabledRules: 'GATEHOUSE_SCAN_DISABLED_RULES',
  scanMaxFileBytes: 'GATEHOUSE_SCAN_MAX_FILE_BYTES',
  scanMaxTotalBytes: 'GATEHOUSE_SCAN_MAX_TOTAL_BYTES',
  provenanceTrustedRoot: 'GATEHOUSE_PROVENANCE_TRUSTED_ROOT',
  publishAttestationLog: 'GATEHOUSE_PUBLISH_ATTESTATION_LOG',
};

export class ConfigError extends Error {}

/** Layers: defaults < config file < environment < explicit overrides (command-line flags). */
export function loadConfig(opts: { file?: string; env?: NodeJS.ProcessEnv; overrides?: Partial<Config> } = {}): Config {
  const env = opts.env ?? process.env;
  const file = opts.file ?? env.GATEHOUSE_CONFIG;
  const fromFile = file ? readConfigFile(file) : {};
  const fromEnv: Partial<Record<keyof Config, unknown>> = {};
  for (const key of Object.keys(ENV_NAMES) as (keyof Config)[]) {
    const value = env[ENV_NAMES[key]];
    if (value !== undefined && value !== '') fromEnv[key] = value;
  }
  const merged = { ...DEFAULTS, ...fromFile, ...fromEnv, ...stripUndefined(opts.overrides ?? {}) };
  return normalise(merged);
}

function readConfigFile(file: string): Partial<Config> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`Cannot read config file ${file}: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`Config file ${file} must hold a JSON object.`);
  }
  for (const key of Object.keys(parsed)) {
    if (!(key in DEFAULTS)) throw new ConfigError(`Config file ${file}: unknown setting "${key}".`);
  }
  return parsed as Partial<Config>;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function normalise(raw: Record<keyof Config, unknown>): Config {
  const config = { ...raw } as Record<string, unknown>;
  for (const key of Object.keys(DEFAULTS) as (keyof Config)[]) {
    if (typeof DEFAULTS[key] === 'boolean') {
      config[key] = parseSwitch(key, raw[key]);
    } else if (typeof DEFAULTS[key] === 'number') {
      const n = Number(raw[key]);
      if (!Number.isFinite(n) || n < 0) throw new ConfigError(`${key} (${ENV_NAMES[key]}) must be a non-negative number.`);
      config[key] = n;
    } else {
      config[key] = String(raw[key]);
    }
  }
  const result = config as unknown as Config;
  result.dataDir = resolve(result.dataDir);
  result.publicUrl = result.publicUrl.replace(/\/+$/, '');
  if (result.hibpUrl !== '' && !/^https?:\/\/[^/]/.test(result.hibpUrl)) {
    throw new ConfigError(`hibpUrl (GATEHOUSE_HIBP_URL) must be an http(s) URL, not "${result.hibpUrl}".`);
  }
  if (result.mfaNewFactors !== 'any' && result.mfaNewFactors !== 'webauthn-only') {
    throw new ConfigError(`mfaNewFactors (${ENV_NAMES.mfaNewFactors}) is "any" or "webauthn-only".`);
  }
  if (result.signup !== 'on' && result.signup !== 'off') throw new ConfigError('signup (GATEHOUSE_SIGNUP) must be on or off.');
  if (result.restrictedAccounts !== 'critical-maintainers' && result.restrictedAccounts !== 'everyone') {
    throw new ConfigError(`restrictedAccounts (${ENV_NAMES.restrictedAccounts}) is "critical-maintainers" or "everyone".`);
  }
  if (result.trustTokenMinutes <= 0 || result.trustTokenMinutes > 15) {
    throw new ConfigError(`trustTokenMinutes (${ENV_NAMES.trustTokenMinutes}) is between 1 and 15.`);
  }
  if (!['refuse', 'hold', 'off'].includes(result.typosquatPolicy)) {
    throw new ConfigError(`typosquatPolicy (${ENV_NAMES.typosquatPolicy}) is "refuse", "hold" or "off".`);
  }
  return result;
}

/** An on/off setting: true/false, on/off, 1/0 (a JSON file may give a boolean). */
function parseSwitch(key: keyof Config, value: unknown): boolean {
  const text = String(value).trim().toLowerCase();
  if (['true', 'on', '1', 'yes'].includes(text)) return true;
  if (['false', 'off', '0', 'no'].includes(text)) return false;
  throw new ConfigError(`${key} (${ENV_NAMES[key]}) must be on or off (true/false).`);
}
