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
  // a correct password found in a breach buys only its own change (docs/leaked-passwords.md)
  | 'PasswordChangeRequired';

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
  // The password was right but is in a breach corpus: no token until it is changed on the website.
  PasswordChangeRequired: 403,
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
  OtpRequired: OTP,
  OtpInvalid: OTP,
};

export class GatehouseError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly status: number,
    message: string,
    readonly headers: ErrorHeaders = {},
  ) {
    super(message);
    // Set explicitly so logs and stack traces read "GatehouseError"; callers still switch on `code`.
    this.name = 'GatehouseError';
  }
}

/** The catalog error for `code`, for places that must hand an error over rather than throw (stream callbacks). */
export function catalogError(code: ErrorCode, message: string, headers?: ErrorHeaders): GatehouseError {
  return new GatehouseError(code, ERROR_STATUS[code], message, { ...ERROR_HEADERS[code], ...headers });
}

/** Throws the catalog error for `code`. `message` is for a person at a terminal: what is wrong, what to do. */
export function fail(code: ErrorCode, message: string, headers?: ErrorHeaders): never {
  throw catalogError(code, message, headers);
}

export function isGatehouseError(err: unknown): err is GatehouseError {
  return err instanceof GatehouseError;
}
