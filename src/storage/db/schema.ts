// Kysely table types: the shape of every row as both engines store it. Times are ISO-8601 UTC
// strings and booleans are 0/1 integers, so SQLite and PostgreSQL return identical values.
import type { ColumnType, Generated } from 'kysely';

export interface UsersTable {
  id: Generated<number>;
  name: string;
  email: string;
  email_verified: number;
  password_hash: string;
  is_admin: number;
  created_at: string;
}

export interface TokensTable {
  id: Generated<number>;
  user_id: number;
  /** SHA-256 hex of the whole token; the token itself is never stored. */
  token_hash: string;
  /** First characters of the token, safe to show in listings. */
  display: string;
  /** JSON array of TokenScope, e.g. ["read"] (migration 006 replaced the readonly flag). */
  scopes: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  /** A TokenKind: 'session' (from a login, expires) or 'automation' (migration 009). */
  kind: Generated<string>;
  /** What the owner called it (migration 014); '' for tokens from a login. */
  name: Generated<string>;
  /** JSON array of package names and `@scope`s the token is limited to; null: every package. */
  packages: string | null;
  /** JSON array of CIDR ranges the token may be used from; null: anywhere. */
  cidrs: string | null;
  /** 1 when the token publishes without a second factor (npm's bypass_2fa). */
  bypass_2fa: Generated<number>;
  last_used_at: string | null;
  last_used_ip: string | null;
}

export interface PackagesTable {
  name: string;
  created_at: string;
  modified_at: string;
  rev: number;
  description: string;
  keywords: string;
  /** Set when the whole package was unpublished: the name stays reserved for its owners. */
  unpublished_at: string | null;
  /** A Visibility (domain/packages/store.ts); 'public' unless set otherwise (migration 005). */
  visibility: Generated<string>;
}

export interface PackageOwnersTable {
  package_name: string;
  user_id: number;
}

/** A scope claimed by its first publish (migration 006); the authorization track attaches orgs. */
export interface ScopeClaimsTable {
  scope: string;
  claimed_at: string;
  claimed_by_kind: string;
  claimed_by_id: string | null;
}

/** Who may create new packages in a scope: today every owner of a package in it. */
export interface ScopeMembersTable {
  scope: string;
  user_id: number;
  /** How many packages in the scope the user owns; the row goes when it would reach 0. */
  packages: number;
}

export interface VersionsTable {
  package_name: string;
  version: string;
  /** The version manifest as JSON, without dist/_npmUser: those come from columns. */
  manifest: string;
  integrity: string;
  shasum: string;
  /** Hex sha512 of the tarball: the blob's address. */
  blob: string;
  size: number;
  file_count: number;
  unpacked_size: number;
  published_at: string;
  /** An Actor kind (domain/access/actor.ts); with publisher_id, who published (migration 006). */
  publisher_kind: string;
  /** The user id as text for `user`, the trusted publisher's id, null for `system`. */
  publisher_id: string | null;
  /** A VersionState; only `published` is served. */
  state: Generated<string>;
  deprecated: string | null;
  readme: string;
  /** The README as the web page shows it, sanitised; null until first rendered (migration 002). */
  readme_html: string | null;
  /** How readme_html was made: a ReadmeOutcome (domain/packages/store.ts). */
  readme_outcome: string | null;
  /** A tombstone: the version is gone but name@version can never be published again. */
  unpublished_at: string | null;
  /** JSON list of the registry's `{keyid, sig}` over name@version:integrity (migration 017). */
  signatures: Generated<string>;
}

export interface VersionDependenciesTable {
  package_name: string;
  version: string;
  dependency: string;
  range: string;
}

export interface DistTagsTable {
  package_name: string;
  tag: string;
  version: string;
}

export interface EventsTable {
  seq: Generated<number>;
  type: string;
  /** An Actor kind; actor_id is text, null for `system` (migration 006). */
  actor_kind: string;
  actor_id: string | null;
  package_name: string | null;
  version: string | null;
  data: string;
  created_at: string;
  /** The org the event concerns: its payload's org, or its package's scope (migration 029, for the audit log). */
  org: string | null;
  /** The account the event was done to, by name (029, for the audit log). */
  subject_user: string | null;
}

export interface WebLoginsTable {
  id: string;
  /** SHA-256 hex of the secret in doneUrl; only the polling CLI knows the secret. */
  done_hash: string;
  user_id: number | null;
  created_at: string;
  expires_at: string;
  consumed_at: string | null;
  /** Address and User-Agent of the CLI's POST /-/v1/login, shown on the sign-in page (003). */
  requester_ip: string;
  requester_agent: string;
}

export interface DownloadCountsTable {
  package_name: string;
  version: string;
  /** UTC day, YYYY-MM-DD (migration 005). */
  day: string;
  count: number;
}

export interface JobLeasesTable {
  job: string;
  /** The instance that last took the lease. */
  owner: string;
  /** ISO-8601 UTC: the job may run again from this instant. */
  next_run_at: string;
  /** ISO-8601 UTC: the current run's lease ends here; the epoch once released. */
  held_until: string;
}

/** The last DNS check of a domain accounts' addresses use (migration 011). */
export interface EmailDomainChecksTable {
  /** Lower-case host name. */
  domain: string;
  /** A DomainState: live, dead or unknown (domain/accounts/email-domains.ts). */
  state: string;
  /** A DomainReason: why the state. */
  reason: string;
  checked_at: string;
}

/** An account whose email recovery a dead domain disabled; applies while its address is still at `domain` (011). */
export interface EmailRecoveryBlocksTable {
  user_id: number;
  domain: string;
  reason: string;
  blocked_at: string;
}

export interface GuessCountersTable {
  /** `<secret>:account:<name>` or `<secret>:address:<ip or /64>` (domain/guard/policy.ts). */
  key: string;
  attempts: number;
  /** ms since the epoch; bigint, which PostgreSQL's driver returns as a string (migration 010). */
  open_at: ColumnType<number | string, number, number>;
  expires_at: ColumnType<number | string, number, number>;
  noticed: Generated<number>;
}

/** One TOTP enrolment per account (migration 008). */
export interface MfaTotpTable {
  user_id: number;
  /** AES-256-GCM sealed base32 secret (domain/mfa/secret-box.ts). */
  sealed_secret: string;
  level: string;
  confirmed_at: string | null;
  last_step: number | null;
  created_at: string;
}

/** Single-use recovery codes, as SHA-256 hex (migration 008). */
export interface MfaRecoveryCodesTable {
  user_id: number;
  code_hash: string;
  created_at: string;
  used_at: string | null;
}

/** One row: when the maintainer MFA policy first applied here (migration 008). */
export interface MfaPolicyTable {
  id: number;
  started_at: string;
}

/** The outbox worker's position in the event sequence (migration 007): one row, 'outbox'. */
export interface MailCursorTable {
  name: string;
  seq: number;
}

/** One mail owed for one event to one address; a retry finds this row, never adds one (007). */
export interface MailOutboxTable {
  event_seq: number;
  recipient: string;
  /** Deterministic per (event, recipient): the .eml file name and the SMTP Message-ID. */
  message_id: string;
  /** A MailState: pending, sent or failed. */
  state: string;
  attempts: Generated<number>;
  /** The instance holding the row while it sends, until claimed_until (ISO time). */
  claimed_by: string | null;
  claimed_until: string | null;
  created_at: string;
  sent_at: string | null;
}

/** Keys the mail domain derives link secrets from (HMAC); made once, on first use (007). */
export interface MailKeysTable {
  name: string;
  secret: string;
}

/** An address waiting for its owner to open the link; keyed by the event's request id (007). */
export interface EmailVerificationsTable {
  request: string;
  user_id: number;
  email: string;
  created_at: string;
  expires_at: string;
  verified_at: string | null;
}

/** A signed-in browser (migration 009); the cookie's secret is kept only as its SHA-256. */
export interface WebSessionsTable {
  id: string;
  secret_hash: string;
  user_id: number;
  created_at: string;
  /** Moves forward as the browser is used (at most once a minute): the idle timeout counts from it. */
  last_seen_at: string;
  /** The absolute timeout: no use after this, however active. */
  expires_at: string;
  revoked_at: string | null;
  ip: string;
  user_agent: string;
  /** 1 while the session may only change its leaked password (018). */
  password_change_required: Generated<number>;
}

/** A password-reset request, keyed by its event's request id; no secret (012). */
export interface PasswordResetsTable {
  request: string;
  user_id: number;
  email: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

/** An account read-only until `until` after a risky recovery step (012). */
export interface AccountRestrictionsTable {
  user_id: number;
  reason: string;
  until: string;
  created_at: string;
}

/** The packages the last computation found critical (012). */
export interface CriticalPackagesTable {
  package_name: string;
  downloads: number;
  computed_at: string;
}

/** A security key or passkey of an account (013). */
export interface WebauthnCredentialsTable {
  id: string;
  user_id: number;
  public_key: string;
  counter: number | string;
  transports: string;
  name: string;
  passkey: number;
  created_at: string;
  last_used_at: string | null;
}

/** A challenge handed to a browser, until it is answered or expires (013). */
export interface WebauthnChallengesTable {
  challenge_hash: string;
  purpose: string;
  user_id: number | null;
  session_id: string | null;
  passkey: number;
  expires_at: string;
  password_change_required: Generated<number>;
}

/** Whether an account's security keys guard its writes too (019). */
export interface WebauthnSettingsTable {
  user_id: number;
  guard_writes: number;
  updated_at: string;
}

/** A write waiting for, or given, approval with a security key in the browser (019). */
export interface WriteApprovalsTable {
  id_hash: string;
  done_hash: string;
  user_id: number;
  action: string;
  requested_ip: string;
  requested_user_agent: string;
  created_at: string;
  expires_at: string;
  approved_at: string | null;
  code_hash: string | null;
  used_at: string | null;
}

/** Organisations, one per claimed scope (015). */
export interface OrgsTable {
  name: string;
  created_at: string;
  developers_get_new_packages: Generated<number>;
}

export interface OrgMembersTable {
  org: string;
  user_id: number;
  /** An OrgRole (domain/orgs/store.ts). */
  role: string;
}

export interface TeamsTable {
  org: string;
  name: string;
  description: Generated<string>;
  created_at: string;
}

export interface TeamMembersTable {
  org: string;
  team: string;
  user_id: number;
}

export interface TeamPackagesTable {
  org: string;
  team: string;
  package_name: string;
  /** A TeamPermission: 'read-only' or 'read-write'. */
  permission: string;
}

/** A trust configuration: which CI identity may publish which packages (016). */
export interface TrustedPublishersTable {
  id: string;
  type: string;
  issuer: string;
  /** JSON: the claims to match, in npm's `npm trust` shape. */
  claims: string;
  /** JSON: npm's permission names (createPackage, createStagedPackage). */
  permissions: string;
  created_by: number;
  created_at: string;
  pending_until: string | null;
}

/** The packages one trust configuration covers (016). */
export interface TrustedPublisherPackagesTable {
  publisher_id: string;
  package_name: string;
}

/** An ID token already exchanged, kept past its expiry so it cannot be exchanged again (016). */
export interface OidcTokenIdsTable {
  issuer: string;
  jti: string;
  expires_at: string;
}

/** A short-lived publish token minted by an exchange; only its hash (016). */
export interface TrustedPublishTokensTable {
  token_hash: string;
  publisher_id: string;
  package_name: string;
  /** JSON: the identity the ID token named (issuer, subject, repository, workflow, commit). */
  identity: string;
  created_at: string;
  expires_at: string;
}

export interface DB {
  users: UsersTable;
  tokens: TokensTable;
  packages: PackagesTable;
  package_owners: PackageOwnersTable;
  scope_claims: ScopeClaimsTable;
  scope_members: ScopeMembersTable;
  orgs: OrgsTable;
  org_members: OrgMembersTable;
  teams: TeamsTable;
  team_members: TeamMembersTable;
  team_packages: TeamPackagesTable;
  versions: VersionsTable;
  version_dependencies: VersionDependenciesTable;
  dist_tags: DistTagsTable;
  events: EventsTable;
  web_logins: WebLoginsTable;
  download_counts: DownloadCountsTable;
  job_leases: JobLeasesTable;
  email_domain_checks: EmailDomainChecksTable;
  email_recovery_blocks: EmailRecoveryBlocksTable;
  guess_counters: GuessCountersTable;
  mfa_totp: MfaTotpTable;
  mfa_recovery_codes: MfaRecoveryCodesTable;
  mfa_policy: MfaPolicyTable;
  mail_cursor: MailCursorTable;
  mail_outbox: MailOutboxTable;
  mail_keys: MailKeysTable;
  email_verifications: EmailVerificationsTable;
  web_sessions: WebSessionsTable;
  password_resets: PasswordResetsTable;
  account_restrictions: AccountRestrictionsTable;
  critical_packages: CriticalPackagesTable;
  webauthn_credentials: WebauthnCredentialsTable;
  webauthn_challenges: WebauthnChallengesTable;
  webauthn_settings: WebauthnSettingsTable;
  write_approvals: WriteApprovalsTable;
  trusted_publishers: TrustedPublishersTable;
  trusted_publisher_packages: TrustedPublisherPackagesTable;
  oidc_token_ids: OidcTokenIdsTable;
  trusted_publish_tokens: TrustedPublishTokensTable;
  signing_keys: SigningKeysTable;
  reports: ReportsTable;
  report_messages: ReportMessagesTable;
  malicious_advisories: MaliciousAdvisoriesTable;
  malicious_advisory_numbers: MaliciousAdvisoryNumbersTable;
  security_contacts: SecurityContactsTable;
  tlog_state: TlogStateTable;
  tlog_leaves: TlogLeavesTable;
  tlog_hashes: TlogHashesTable;
  tlog_keys: TlogKeysTable;
  tlog_checkpoints: TlogCheckpointsTable;
  tlog_cosignatures: TlogCosignaturesTable;
  tlog_witnesses: TlogWitnessesTable;
  stages: StagesTable;
  package_staging: PackageStagingTable;
  allowed_names: AllowedNamesTable;
  name_claims: NameClaimsTable;
  scan_results: ScanResultsTable;
  scan_rule_switches: ScanRuleSwitchesTable;
  known_bad_digests: KnownBadDigestsTable;
  advisories: AdvisoriesTable;
  advisory_packages: AdvisoryPackagesTable;
  version_attestations: VersionAttestationsTable;
  provenance_declarations: ProvenanceDeclarationsTable;
  quarantines: QuarantinesTable;
}

/** The registry's signing keys (migration 017); `expires_at` is set when a key is rotated out. */
export interface SigningKeysTable {
  keyid: string;
  /** Base64 DER SubjectPublicKeyInfo, as /-/npm/v1/keys serves it. */
  public_key: string;
  /** Base64 DER PKCS#8; never leaves the signatures domain. */
  private_key: string;
  created_at: string;
  expires_at: string | null;
}

/** A report against a package or version (migration 020); state is a ReportState. */
export interface ReportsTable {
  id: Generated<number>;
  package_name: string;
  version: string | null;
  reason: string;
  description: string;
  reporter_id: number;
  state: string;
  created_at: string;
  updated_at: string;
  resolved_at: string | null;
  resolved_by: number | null;
  advisory_id: string | null;
}

/** A message on a report's thread: a moderator's question or note, the reporter's answer (020). */
export interface ReportMessagesTable {
  id: Generated<number>;
  report_id: number;
  author_id: number;
  role: string;
  kind: string;
  text: string;
  created_at: string;
}

/** One MAL- advisory per package confirmed malicious; versions and reports are JSON arrays (020). */
export interface MaliciousAdvisoriesTable {
  id: string;
  package_name: string;
  versions: string;
  all_versions: number;
  summary: string;
  details: string;
  published_at: string;
  modified_at: string;
  reports: string;
}

/** The last MAL- number handed out per year (020). */
export interface MaliciousAdvisoryNumbersTable {
  year: number;
  last: number;
}

/** The security contact a version's tarball names, JSON, or null for none (020). */
export interface SecurityContactsTable {
  package_name: string;
  version: string;
  contact: string | null;
}

/** The transparency log's one position row, id 1 (migration 024). */
export interface TlogStateTable {
  id: number;
  size: number;
  event_seq: number;
}

/** A leaf: the event's canonical encoding (024). */
export interface TlogLeavesTable {
  idx: number;
  event_seq: number;
  event_type: string;
  package_name: string | null;
  version: string | null;
  entry: string;
}

/** The hash of the complete subtree (level, idx), hex; level 0 holds leaf hashes (024). */
export interface TlogHashesTable {
  level: number;
  idx: number;
  hash: string;
}

/** The log's Ed25519 key; `name` is the log's origin (024). */
export interface TlogKeysTable {
  name: string;
  /** Raw 32-byte public key, base64. */
  public_key: string;
  /** Base64 DER PKCS#8; never leaves the transparency domain. */
  private_key: string;
  created_at: string;
}

export interface TlogCheckpointsTable {
  size: number;
  note: string;
  created_at: string;
}

/** Names allowed despite a look-alike (migration 021); `user_id` null: for anyone. */
export interface AllowedNamesTable {
  name: string;
  user_id: number | null;
  note: string;
  created_at: string;
}

export interface TlogCosignaturesTable {
  size: number;
  witness: string;
  line: string;
}

export interface TlogWitnessesTable {
  witness: string;
  size: number;
}

/** Staged versions awaiting approval (migration 025); the version row itself has state `staged`. */
export interface StagesTable {
  id: string;
  package_name: string;
  version: string;
  tag: string;
  actor_name: string;
  actor_type: string;
  created_at: string;
}

/** Packages that take new versions only through a stage (migration 025). */
export interface PackageStagingTable {
  package_name: string;
  required: number;
  updated_at: string;
}

/** New names held for an administrator's review (migration 021, policy "hold"). */
export interface NameClaimsTable {
  name: string;
  user_id: number;
  similar_to: string;
  technique: string;
  state: 'pending' | 'approved' | 'rejected';
  created_at: string;
  decided_at: string | null;
}

/** Each scanned version's verdict (migration 022; its review moved to quarantines in 029). */
export interface ScanResultsTable {
  package_name: string;
  version: string;
  verdict: string;
  /** JSON list of findings (domain/scanning/evaluate.ts). */
  findings: string;
  /** JSON list of capability names. */
  capabilities: string;
  rules_version: string;
  tag: string;
  publisher: string;
  scanned_at: string;
}

/** An administrator's switch for one rule id (022); 0 or 1. */
export interface ScanRuleSwitchesTable {
  rule_id: string;
  enabled: number;
  changed_by: string;
  changed_at: string;
}

/** Known-bad digests: `sha512-<base64>` or `sha256:<hex>` (022). */
export interface KnownBadDigestsTable {
  digest: string;
  note: string;
  added_at: string;
}

/** Imported OSV records (migration 023); `number` is npm's numeric advisory id. */
export interface AdvisoriesTable {
  number: Generated<number>;
  osv_id: string;
  modified: string;
  withdrawn: string | null;
  summary: string;
  severity: string;
  cvss: string | null;
  facts: string;
  record: string;
}

/** The npm packages each advisory affects, with npm's and pnpm's range strings (migration 023). */
export interface AdvisoryPackagesTable {
  osv_id: string;
  package_name: string;
  vulnerable_range: string;
  patched_range: string;
  fixed: string;
}

/** Sigstore bundles per version, accepted on publish or issued by the registry (migration 027). */
export interface VersionAttestationsTable {
  package_name: string;
  version: string;
  predicate_type: string;
  /** The bundle's JSON. */
  bundle: string;
  /** JSON BuildFacts (domain/provenance/certificate.ts), or null. */
  build: string | null;
  created_at: string;
}

/** An owner's declared change of source, spent by the publish it allows (migration 027). */
export interface ProvenanceDeclarationsTable {
  package_name: string;
  kind: 'repository' | 'none';
  repository: string | null;
  declared_by: number;
  created_at: string;
}

/** Every quarantined version and its review, whatever held it (migration 029, domain/quarantine). */
export interface QuarantinesTable {
  package_name: string;
  version: string;
  /** report | scan | admin */
  cause: string;
  ref: string;
  /** The dist-tag a release moves: set for a version held at publish, never announced. */
  tag: string | null;
  publisher: string;
  held_at: string;
  /** pending | released | rejected */
  review: string;
  reviewed_by: string | null;
  reviewed_at: string | null;
  review_note: string | null;
}
