// The error catalog: every failure a user can see has a stable code and an HTTP status here.
// Domain code throws GatehouseError through `fail`; only src/http/errors.ts turns one into a response.
// Must never import from storage or http, and codes must never be renamed once shipped (clients log them).

/** One union so a `switch (err.code)` is exhaustiveness-checked. Add codes under your domain's heading. */
export type ErrorCode =
  // request shape
  | 'BadRequest'
  | 'BodyTooLarge'
  | 'NotFound'
  | 'Conflict'
  | 'TooManyRequests'
  | 'RequestTimeout'
  | 'HeadersTooLarge'
  // accounts and authentication
  | 'Unauthenticated'
  | 'BadCredentials'
  | 'Forbidden'
  | 'UserExists'
  | 'PasswordTooLong'
  | 'PasswordChecksBusy'
  | 'WebLoginAlreadyApproved'
  | 'TooManyPendingLogins'
  | 'UserNotFound'
  | 'TokenNotFound'
  | 'WebLoginNotFound'
  // brute-force defence (domain/guard)
  | 'TooManyAttempts'
  // sign-up and email verification (domain/accounts/signup.ts, verification.ts)
  | 'SignupClosed'
  | 'InvalidEmail'
  | 'EmailInUse'
  | 'PasswordEmpty'
  | 'PasswordTooShort'
  | 'PasswordLeaked'
  | 'VerificationLinkInvalid'
  | 'VerificationLinkUsed'
  | 'VerificationLinkExpired'
  | 'VerificationLinkWrongAccount'
  | 'EmailAlreadyVerified'
  // authorization refusals (a Decision's code; see domain/access/principal.ts)
  | 'TokenReadOnly'
  | 'EmailUnverified'
  | 'NotMaintainer'
  | 'ScopeNotYours'
  | 'PrincipalNotSupported'
  // package names, versions and tags
  | 'InvalidPackageName'
  | 'InvalidVersion'
  | 'NameReserved'
  | 'TagInvalid'
  | 'PackageNotFound'
  | 'VersionNotFound'
  | 'TagNotFound'
  | 'TarballNotFound'
  // publish
  | 'ManifestMismatch'
  | 'IntegrityMismatch'
  | 'MissingAttachment'
  | 'VersionExists'
  | 'VersionWasUnpublished'
  | 'ManifestTooDeep'
  | 'ManifestTooLarge'
  // gatehouse import
  | 'ImportFailed'
  // unpublish
  | 'UnpublishRefused'
  // tarball contents (domain/packages/tarball.ts)
  | 'TarballNotGzip'
  | 'TarballTooLarge'
  | 'TarballTooManyFiles'
  | 'TarballUnsafePath'
  | 'TarballAmbiguous'
  | 'TarballMissingPackageJson'
  | 'TarballBadPackageJson'
  | 'TarballInspectionTimeout'
  // second factors (domain/mfa)
  | 'OtpRequired'
  | 'OtpInvalid'
  | 'MfaRequired'
  | 'MfaNotEnabled'
  | 'MfaFactorNotAllowed'
  | 'ProfileFieldUnsupported'
  // web sessions (domain/sessions) and their forms
  | 'CsrfTokenInvalid'
  | 'CrossSiteRequest'
  | 'SessionNotFound'
  // account recovery (domain/accounts/recovery.ts, email-change.ts, restrictions.ts)
  | 'ResetLinkInvalid'
  | 'ResetLinkUsed'
  | 'ResetLinkExpired'
  | 'ResetLinkWrongAccount'
  | 'PasswordRequired'
  | 'AccountRestricted'
  | 'RecoveryChecksMissing'
  // security keys and passkeys (domain/webauthn)
  | 'WebAuthnMalformed'
  | 'WebAuthnChallengeInvalid'
  | 'WebAuthnOriginMismatch'
  | 'WebAuthnRejected'
  | 'WebAuthnCounterReplayed'
  | 'WebAuthnCredentialUnknown'
  | 'WebAuthnCredentialNotFound'
  | 'SecurityKeyRequired'
  | 'WriteApprovalNotFound'
  | 'WriteApprovalWrongAccount'
  | 'SecurityKeyRequiredForCritical'
  // granular tokens (domain/tokens/granular.ts, limits.ts)
  | 'TokenMalformed'
  | 'TokenCidrInvalid'
  | 'TokenExpiryInvalid'
  | 'TokenPermissionUnknown'
  | 'TokenLimitInvalid'
  | 'TokenAddressRefused'
  | 'TokenPackageRefused'
  | 'TokenBypassesTwoFactor'
  // organisations, teams and package access (domain/orgs)
  | 'OrgNotFound'
  | 'TeamNotFound'
  | 'TeamExists'
  | 'InvalidRole'
  | 'InvalidTeamName'
  | 'InvalidPermission'
  | 'NotOrgAdmin'
  | 'NotOrgMember'
  | 'LastOrgOwner'
  | 'PackageNotInOrg'
  | 'OrgExists'
  // trusted publishing (OIDC)
  | 'OidcTokenMalformed'
  | 'OidcAlgorithmRefused'
  | 'OidcIssuerNotAllowed'
  | 'OidcKeysUnavailable'
  | 'OidcKeyUnknown'
  | 'OidcSignatureInvalid'
  | 'OidcTokenExpired'
  | 'OidcTokenNotYetValid'
  | 'OidcAudienceMismatch'
  | 'OidcTokenReplayed'
  | 'OidcEventRefused'
  | 'TrustedPublisherMismatch'
  | 'TrustedPublisherNotAllowed'
  | 'TrustConfigInvalid'
  | 'TrustConfigNotFound'
  // secret-scanning reports (docs/secret-scanning.md)
  | 'SecretScanningOff'
  | 'ReportSignatureInvalid'
  | 'ReportKeyUnknown'
  | 'ReportMalformed'
  | 'ReportKeysUnavailable'
  // a correct password found in a breach buys only its own change (docs/leaked-passwords.md)
  | 'PasswordChangeRequired'
  // package reports, moderation and MAL- advisories (domain/reports, domain/malicious)
  | 'ReportReasonInvalid'
  | 'ReportTextInvalid'
  | 'ReportNotFound'
  | 'ReportClosed'
  | 'TooManyReports'
  | 'ModeratorsOnly'
  | 'AdvisoryNotFound'
  | 'PackageMalicious'
  // audit logs (domain/audit-log)
  | 'AuditLogNotYours'
  // the transparency log (domain/transparency)
  | 'TlogOutOfRange'
  | 'TlogEntryNotFound'
  // staged publishing (docs/staged-publishing.md)
  | 'StageNotFound'
  | 'VersionStaged'
  | 'StagingRequired'
  | 'TokenStageOnly'
  | 'StageApprovalNeedsMfa'
  // typosquatting defence (domain/names)
  | 'NameProtected'
  | 'NameTooSimilar'
  | 'NameHeldForReview'
  | 'NameClaimNotFound'
  // malware scanning and quarantine (docs/malware-scanning.md)
  | 'PublishBlockedByScan'
  | 'NotAdministrator'
  | 'VersionNotQuarantined'
  | 'ScanRuleNotFound'
  // vulnerability advisories: npm/pnpm audit request bodies (docs/advisories.md)
  | 'AuditRequestInvalid'
  // build provenance (domain/provenance): a Sigstore bundle on publish, and its continuity rules
  | 'ProvenanceMalformed'
  | 'ProvenanceUntrusted'
  | 'ProvenanceSubjectMismatch'
  | 'ProvenanceIdentityMismatch'
  | 'ProvenanceSourceChanged'
  | 'ProvenanceRequired'
  | 'AttestationsNotFound'
  // the registry's own publish attestation (domain/provenance/publish-attestation.ts)
  | 'PublishAttestationUnavailable'
  // moderation (reports, quarantine) needs the administrator's second factor (domain/mfa/writes.ts)
  | 'ModerationNeedsMfa'
  // the OSV all.zip before the job's first build (domain/malicious)
  | 'ArchiveNotReady';

/**
 * HTTP status per code. npm prints any 4xx as `E<status>` followed by our `error` string,
 * so the status picks the npm error class and the message does the explaining.
 */
export const ERROR_STATUS = {
  BadRequest: 400,
  BodyTooLarge: 413,
  // Only for addresses nothing answers at; a missing thing at a real address has its own code below.
  NotFound: 404,
  Conflict: 409,
  // Sent with Retry-After (see `fail`'s headers): npm and browsers wait and retry.
  TooManyRequests: 429,
  // The client took longer than headersTimeoutMs/requestTimeoutMs to send its request.
  RequestTimeout: 408,
  HeadersTooLarge: 431,

  // 401 (not 403) for missing/bad credentials: npm only re-prompts for login or OTP on a 401.
  Unauthenticated: 401,
  BadCredentials: 401,
  Forbidden: 403,
  UserExists: 409,
  // Checked before hashing: a long password costs scrypt's PBKDF2 and NFKC time per byte.
  PasswordTooLong: 400,
  // Every password check is a 16 MiB scrypt on libuv's thread pool; beyond the bound, 429 + Retry-After.
  PasswordChecksBusy: 429,
  // A web login is approved once: a second sign-in on the same link would hand the CLI a different account.
  WebLoginAlreadyApproved: 409,
  // Anonymous POST /-/v1/login opens a row; one address may hold only so many unfinished ones.
  TooManyPendingLogins: 429,
  UserNotFound: 404,
  TokenNotFound: 404,
  // Expired, already used or never issued: one code, so a link's state cannot be probed.
  WebLoginNotFound: 404,
  // The password is in a breach corpus (HIBP or the bundled list): refused wherever one is chosen.
  PasswordLeaked: 400,
  // Too many wrong guesses of a password, code or link, per account or per address; always with
  // Retry-After, and the same answer whether or not the account exists.
  TooManyAttempts: 429,

  // The operator turned sign-up off (GATEHOUSE_SIGNUP=off): `gatehouse user create` makes accounts.
  SignupClosed: 403,
  InvalidEmail: 400,
  // Compared without case; says the address is taken, as a sign-up form must to be usable.
  EmailInUse: 409,
  PasswordEmpty: 400,
  PasswordTooShort: 400,
  // Forged, malformed or never issued.
  VerificationLinkInvalid: 404,
  VerificationLinkUsed: 409,
  VerificationLinkExpired: 410,
  // The link belongs to another account, or to an address the account no longer has.
  VerificationLinkWrongAccount: 403,
  EmailAlreadyVerified: 409,

  // 403: the caller is known, so a fresh login would not help (npm re-prompts only on a 401).
  TokenReadOnly: 403,
  EmailUnverified: 403,
  NotMaintainer: 403,
  ScopeNotYours: 403,
  // A web session or trusted publisher asking for something only a token may do (yet).
  PrincipalNotSupported: 403,

  InvalidPackageName: 400,
  InvalidVersion: 400,
  NameReserved: 403,
  TagInvalid: 400,
  // An unpublished package is PackageNotFound too; the message says it was unpublished.
  PackageNotFound: 404,
  VersionNotFound: 404,
  TagNotFound: 404,
  TarballNotFound: 404,

  ManifestMismatch: 400,
  IntegrityMismatch: 400,
  MissingAttachment: 400,
  VersionExists: 409,
  // 409 like VersionExists: the name@version is taken forever, even though nothing is served for it.
  VersionWasUnpublished: 409,
  ManifestTooDeep: 400,
  ManifestTooLarge: 413,

  // The source registry or folder could not give what was asked; the message names which.
  ImportFailed: 400,

  UnpublishRefused: 403,

  TarballNotGzip: 400,
  TarballTooLarge: 413,
  TarballTooManyFiles: 400,
  TarballUnsafePath: 400,
  // A tar form that npm, yarn and pnpm would each read differently (docs/api-design.md quirks).
  TarballAmbiguous: 400,
  TarballMissingPackageJson: 400,
  TarballBadPackageJson: 400,
  TarballInspectionTimeout: 400,

  // 401 with `WWW-Authenticate: OTP` (ERROR_HEADERS): the only answer that makes npm ask for a code.
  OtpRequired: 401,
  // Wrong, expired, replayed or malformed: one code, so an answer never says which.
  OtpInvalid: 401,
  // The maintainer policy: this account must enrol a second factor before it publishes or changes owners.
  MfaRequired: 403,
  // Confirming or disabling a second factor the account does not have (or has not started).
  MfaNotEnabled: 409,
  // The registry accepts only security keys for new second factors (mfaNewFactors).
  MfaFactorNotAllowed: 403,
  // A profile field this registry does not keep or does not change through the npm profile API.
  ProfileFieldUnsupported: 400,
  // A form post from a signed-in browser without this session's CSRF token: another site may have sent it.
  CsrfTokenInvalid: 403,
  // Origin or Sec-Fetch-Site says another site sent this form post.
  CrossSiteRequest: 403,
  // No live session of yours has this id (already ended, someone else's, or never existed).
  SessionNotFound: 404,
  // A reset link that is forged or unknown; used already; too old; for an address the account no
  // longer has, or opened while signed in as another account. Nothing changes on any of them.
  ResetLinkInvalid: 404,
  ResetLinkUsed: 409,
  ResetLinkExpired: 410,
  ResetLinkWrongAccount: 403,
  // An address change must carry the account's current password.
  PasswordRequired: 403,
  // Read-only for a while after a risky recovery step (the message says until when and why).
  AccountRestricted: 403,
  // Admin-assisted recovery names the identity checks it made.
  RecoveryChecksMissing: 400,
  // A key's answers are page forms, not HTTP authentication: refusals are 400/403, not 401 (which needs a WWW-Authenticate scheme).
  // A WebAuthn answer that is not JSON of the expected shape.
  WebAuthnMalformed: 400,
  // The challenge was never issued, already answered, expired, or issued to another browser or account.
  WebAuthnChallengeInvalid: 400,
  // The browser signed for another site: a phishing page relaying the ceremony.
  WebAuthnOriginMismatch: 400,
  // The signature, relying party or user verification does not check out.
  WebAuthnRejected: 403,
  // The signature counter did not move forward: a cloned key or a replayed assertion.
  WebAuthnCounterReplayed: 403,
  // The credential is not one of this account's (or of any account, for a passkey).
  WebAuthnCredentialUnknown: 403,
  // Removing a key this account does not have.
  WebAuthnCredentialNotFound: 404,
  // The account has a security key; this step needs it (the page offers it).
  SecurityKeyRequired: 403,
  // A browser approval of a write (domain/webauthn/write-approvals.ts): its link or code is unknown, expired or used.
  WriteApprovalNotFound: 404,
  WriteApprovalWrongAccount: 403,
  // The policy for maintainers of critical packages: register a security key or passkey first.
  SecurityKeyRequiredForCritical: 403,
  // Not our token's shape or checksum: refused without a database lookup.
  TokenMalformed: 401,
  TokenCidrInvalid: 400,
  TokenExpiryInvalid: 400,
  TokenPermissionUnknown: 400,
  TokenLimitInvalid: 400,
  // A live token used from outside its CIDR ranges, or for a package it is not limited to.
  TokenAddressRefused: 403,
  TokenPackageRefused: 403,
  // A token that publishes without a second factor never changes the account, tokens or owners.
  TokenBypassesTwoFactor: 403,

  // Unknown org or team: 404 like an unknown user (npm prints E404 with our message).
  OrgNotFound: 404,
  TeamNotFound: 404,
  TeamExists: 409,
  // npm's roles only: owner, admin, developer (its CLI knows no others).
  InvalidRole: 400,
  InvalidTeamName: 400,
  // `npm access grant` sends read-only or read-write.
  InvalidPermission: 400,
  // Managing members, teams or grants needs an owner or admin of the org; owners alone change owners.
  NotOrgAdmin: 403,
  // Listing an org's members or teams is for its members.
  NotOrgMember: 403,
  // An org always keeps one owner: the last one cannot leave or be demoted.
  LastOrgOwner: 409,
  // A team can be granted only the packages of its own org's scope.
  PackageNotInOrg: 400,
  OrgExists: 409,

  // Trusted publishing: the exchange refuses an ID token with 400 (not a JWT) or 401 (not one we
  // accept); npm then goes on without a token and logs our message at verbose level.
  OidcTokenMalformed: 400,
  OidcAlgorithmRefused: 401,
  OidcIssuerNotAllowed: 401,
  // Discovery or the key set timed out, failed or answered garbage: fail closed.
  OidcKeysUnavailable: 401,
  OidcKeyUnknown: 401,
  OidcSignatureInvalid: 401,
  OidcTokenExpired: 401,
  OidcTokenNotYetValid: 401,
  OidcAudienceMismatch: 401,
  OidcTokenReplayed: 401,
  // pull_request_target and workflow_run can run a fork's code as the repository.
  OidcEventRefused: 403,
  // A valid token, but no trust configuration of this package names its identity.
  TrustedPublisherMismatch: 403,
  // The publish token of a trusted publisher used beyond what its configuration allows.
  TrustedPublisherNotAllowed: 403,
  TrustConfigInvalid: 400,
  TrustConfigNotFound: 404,
  // Secret-scanning reports: no key list configured; a missing or wrong signature; a key id the
  // list does not hold; a body that is not the program's JSON; the key list could not be fetched.
  // 403, not 401: the signature is the only credential, and a 401 would name a Bearer scheme.
  SecretScanningOff: 404,
  ReportSignatureInvalid: 403,
  ReportKeyUnknown: 403,
  ReportMalformed: 400,
  ReportKeysUnavailable: 502,
  // The password was right but is in a breach corpus: no token until it is changed on the website.
  PasswordChangeRequired: 403,
  // Reports: a reason outside the list; an empty, oversized or NUL-bearing description or message;
  // a report the caller may not see (or none); a report already resolved; the daily limit per
  // reporter (with Retry-After); moderation by a non-administrator; an unknown MAL- id.
  ReportReasonInvalid: 400,
  ReportTextInvalid: 400,
  ReportNotFound: 404,
  ReportClosed: 409,
  TooManyReports: 429,
  ModeratorsOnly: 403,
  AdvisoryNotFound: 404,
  // A package confirmed malicious as a whole takes no new versions.
  PackageMalicious: 403,
  // Another account's audit log: only that account and registry administrators read it.
  AuditLogNotYours: 403,
  // A proof or tile beyond the newest checkpoint, or a leaf index outside the tree.
  TlogOutOfRange: 400,
  TlogEntryNotFound: 404,
  // Missing, already approved or rejected, or not one the caller maintains: one answer for all.
  StageNotFound: 404,
  // 409 like VersionExists: a staged version holds its number until approved, and after a rejection for good.
  VersionStaged: 409,
  // The package takes new versions only through `npm stage publish` and an approval.
  StagingRequired: 403,
  // A stage-only token stages; only its owner, with a second factor, puts the version in front of installers.
  TokenStageOnly: 403,
  // Approving is the proof of presence staging deferred: an account with no second factor cannot give it.
  StageApprovalNeedsMfa: 403,
  // A protected name (the protected-names list) is claimed only by an administrator or `gatehouse import`.
  NameProtected: 403,
  // A new name that resembles a protected or popular one; the message names it and how to appeal.
  NameTooSimilar: 403,
  // Policy "hold": the claim is recorded for an administrator; publish again once approved.
  NameHeldForReview: 403,
  NameClaimNotFound: 404,
  // A scan rule whose verdict is block matched (the message is the rule's); nothing was stored.
  PublishBlockedByScan: 403,
  // The quarantine queue, its review and the rule switches are the administrators'.
  NotAdministrator: 403,
  // Released or rejected already, or never quarantined: a review decides once.
  VersionNotQuarantined: 409,
  ScanRuleNotFound: 404,
  AuditRequestInvalid: 400,
  // A provenance bundle that does not parse, does not verify against the configured trust root
  // (chain, signature, transparency log), names another tarball, or another workflow than the
  // package's trusted publishers; a repository change or a provenance drop nobody declared first.
  ProvenanceMalformed: 400,
  ProvenanceUntrusted: 400,
  ProvenanceSubjectMismatch: 400,
  ProvenanceIdentityMismatch: 403,
  ProvenanceSourceChanged: 409,
  ProvenanceRequired: 409,
  AttestationsNotFound: 404,
  // The transparency log that must record a trusted publish's attestation did not answer: nothing is published.
  PublishAttestationUnavailable: 502,
  ModerationNeedsMfa: 403,
  ArchiveNotReady: 503,
} as const satisfies Record<ErrorCode, number>;

/** Response headers a refusal needs (`retry-after` on a 429, `www-authenticate: OTP` for a second factor). */
export type ErrorHeaders = Readonly<Record<string, string>>;

// RFC 9110 §15.5.2: a 401 names the scheme to use. npm reads this header: `OTP` makes it ask for a
// one-time password (npm-registry-fetch lib/check-response.js), anything else makes it say "log in".
const BEARER: ErrorHeaders = { 'www-authenticate': 'Bearer realm="gatehouse"' };
const OTP: ErrorHeaders = { 'www-authenticate': 'OTP' };

/** Headers every refusal with this code carries; a `fail(code, message, headers)` call adds to or overrides them. */
export const ERROR_HEADERS: Partial<Record<ErrorCode, ErrorHeaders>> = {
  Unauthenticated: BEARER,
  BadCredentials: BEARER,
  TokenMalformed: BEARER,
  OtpRequired: OTP,
  OtpInvalid: OTP,
  OidcAlgorithmRefused: BEARER,
  OidcIssuerNotAllowed: BEARER,
  OidcKeysUnavailable: BEARER,
  OidcKeyUnknown: BEARER,
  OidcSignatureInvalid: BEARER,
  OidcTokenExpired: BEARER,
  OidcTokenNotYetValid: BEARER,
  OidcAudienceMismatch: BEARER,
  OidcTokenReplayed: BEARER,
};

export class GatehouseError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly status: number,
    message: string,
    readonly headers: ErrorHeaders = {},
    /** Extra fields of the JSON body beside error/message/code (npm's `authUrl`/`doneUrl` for a browser approval). */
    readonly fields: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    // Set explicitly so logs and stack traces read "GatehouseError"; callers still switch on `code`.
    this.name = 'GatehouseError';
  }
}

/** The catalog error for `code`, for places that must hand an error over rather than throw (stream callbacks). */
export function catalogError(
  code: ErrorCode,
  message: string,
  headers?: ErrorHeaders,
  fields?: Readonly<Record<string, string>>,
): GatehouseError {
  return new GatehouseError(code, ERROR_STATUS[code], message, { ...ERROR_HEADERS[code], ...headers }, fields);
}

/** Throws the catalog error for `code`. `message` is for a person at a terminal: what is wrong, what to do. */
export function fail(code: ErrorCode, message: string, headers?: ErrorHeaders, fields?: Readonly<Record<string, string>>): never {
  throw catalogError(code, message, headers, fields);
}

export function isGatehouseError(err: unknown): err is GatehouseError {
  return err instanceof GatehouseError;
}
