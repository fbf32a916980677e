// Every item of the OpenSSF/CISA "Principles for Package Repository Security" (v0.1, Feb 2024),
// as data: the four tracks, each item's level and a short title in our words. The assessment
// (assessment.ts) evaluates each one against this deployment; this file only says what exists.
// Never drop or merge an item: the self-assessment must list the whole document.

export type Track = 'authentication' | 'authorization' | 'general' | 'cli';
export type Level = 1 | 2 | 3;

export const TRACK_TITLES: Record<Track, string> = {
  authentication: 'Authentication',
  authorization: 'Authorization',
  general: 'General capabilities',
  cli: 'CLI tooling',
};

export const TRACKS: readonly Track[] = ['authentication', 'authorization', 'general', 'cli'];

export const PRINCIPLES = [
  // Authentication
  { id: 'authn.verified-email', track: 'authentication', level: 1, title: 'Users verify their email address' },
  { id: 'authn.recovery-policy', track: 'authentication', level: 1, title: 'Account recovery policy is documented' },
  { id: 'authn.totp', track: 'authentication', level: 1, title: 'Strong MFA, at least TOTP' },
  { id: 'authn.security-emails', track: 'authentication', level: 1, title: 'Email notice of critical account security changes' },
  {
    id: 'authn.brute-force',
    track: 'authentication',
    level: 1,
    title: 'Brute-force prevention, second-factor attempts included',
  },
  { id: 'authn.abandoned-domains', track: 'authentication', level: 2, title: 'Abandoned email domains cannot recover accounts' },
  { id: 'authn.webauthn', track: 'authentication', level: 2, title: 'Phishing-resistant MFA (WebAuthn) is supported' },
  { id: 'authn.mfa-critical', track: 'authentication', level: 2, title: 'MFA required for critical packages' },
  {
    id: 'authn.leaked-credentials',
    track: 'authentication',
    level: 2,
    title: 'Leaked passwords refused at sign-up and flagged at login',
  },
  { id: 'authn.passwordless', track: 'authentication', level: 3, title: 'Passwordless sign-in (passkeys)' },
  { id: 'authn.mfa-all-maintainers', track: 'authentication', level: 3, title: 'MFA required for all maintainers' },
  {
    id: 'authn.phishing-resistant-critical',
    track: 'authentication',
    level: 3,
    title: 'Phishing-resistant MFA required for critical packages',
  },
  // Authorization
  { id: 'authz.scoped-tokens', track: 'authorization', level: 1, title: 'API tokens scoped to specific packages' },
  { id: 'authz.token-prefix', track: 'authorization', level: 1, title: 'API tokens carry a registry-specific prefix' },
  { id: 'authz.rbac', track: 'authorization', level: 2, title: 'Role-based access: managing people apart from publishing' },
  {
    id: 'authz.oidc',
    track: 'authorization',
    level: 3,
    title: 'Short-lived tokens through an OIDC exchange (trusted publishing)',
  },
  {
    id: 'authz.secret-scanning',
    track: 'authorization',
    level: 3,
    title: 'Secret-scanning integration that revokes leaked tokens',
  },
  { id: 'authz.build-provenance', track: 'authorization', level: 3, title: 'Build provenance for packages' },
  // General capabilities
  {
    id: 'general.disclosure-policy',
    track: 'general',
    level: 1,
    title: 'Vulnerability disclosure policy with safe harbour and a 90-day target',
  },
  { id: 'general.typosquatting', track: 'general', level: 1, title: 'Typosquatting prevention on package names' },
  {
    id: 'general.unpublish-policy',
    track: 'general',
    level: 2,
    title: 'Unpublish policy: versions never replaced, names never reused',
  },
  { id: 'general.report-package', track: 'general', level: 2, title: 'Report a package as malicious through UI, CLI and API' },
  { id: 'general.malware-detection', track: 'general', level: 2, title: 'Malware detection (known snippets and hashes)' },
  {
    id: 'general.vulnerability-warnings-ui',
    track: 'general',
    level: 2,
    title: 'Known vulnerabilities in dependencies shown in the UI',
  },
  { id: 'general.security-review', track: 'general', level: 3, title: 'Periodic security reviews' },
  { id: 'general.transparency-log', track: 'general', level: 3, title: 'Event transparency log' },
  {
    id: 'general.malicious-advisories-osv',
    track: 'general',
    level: 3,
    title: 'Malicious-package advisories in a machine-readable format (OSV)',
  },
  // CLI tooling
  { id: 'cli.pinned-installs', track: 'cli', level: 1, title: 'Installs pinned by hash and version' },
  { id: 'cli.vulnerability-warnings', track: 'cli', level: 2, title: 'Known vulnerabilities warned about on install' },
  { id: 'cli.sbom', track: 'cli', level: 3, title: 'SBOM generation' },
  { id: 'cli.auto-remediation', track: 'cli', level: 3, title: 'Automatic remediation by upgrading vulnerable dependencies' },
  { id: 'cli.reachability', track: 'cli', level: 3, title: 'Reachability analysis to cut false positives' },
] as const satisfies readonly { id: string; track: Track; level: Level; title: string }[];

export type PrincipleId = (typeof PRINCIPLES)[number]['id'];
export type Principle = { id: PrincipleId; track: Track; level: Level; title: string };

/**
 * Items whose feature this version of Gatehouse does not have yet: each reports "not met",
 * "not built in this version". When a feature lands, delete its line here and give it an
 * evaluator in assessment.ts (the compiler then asks for one).
 */
export const NOT_BUILT = [
  'cli.pinned-installs',
  'cli.vulnerability-warnings',
  'cli.sbom',
  'cli.auto-remediation',
  'cli.reachability',
] as const satisfies readonly PrincipleId[];

export type NotBuiltId = (typeof NOT_BUILT)[number];
/** The items this version can evaluate: one evaluator each (assessment.ts). */
export type BuiltId = Exclude<PrincipleId, NotBuiltId>;
