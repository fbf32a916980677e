// The live self-assessment: every Principles item (principles.ts) judged against this
// deployment's settings and current state, each with the reason a reader can act on. Pure:
// settings and live facts in, the report out. An evaluator says "met" only for what this
// configuration actually enforces; anything the operator turned off says so.
import {
  NOT_BUILT,
  PRINCIPLES,
  TRACK_TITLES,
  TRACKS,
  type BuiltId,
  type Level,
  type Principle,
  type PrincipleId,
  type Track,
} from './principles.js';

/** The settings the evaluators read (a subset of the registry's Config). */
export interface AssessedSettings {
  signup: string;
  smtpUrl: string;
  passwordResetMinutes: number;
  mfaNewFactors: 'any' | 'webauthn-only';
  guessBackoffAfter: number;
  guessLockAfter: number;
  guessLockMinutes: number;
  emailDomainCheckMs: number;
  mfaRequiredForMaintainers: boolean;
  mfaGraceDays: number;
  criticalRequireSecurityKey: boolean;
  criticalIntervalMs: number;
  criticalPercent: number;
  hibpUrl: string;
  tokenMaxDays: number;
  oidcGithubIssuer: string;
  oidcGitlabIssuer: string;
  oidcCircleciIssuer: string;
  oidcIssuers: string;
  trustTokenMinutes: number;
  secretScanningKeysUrl: string;
  securityContact: string;
  unpublishWindowHours: number;
  typosquatPolicy: string;
  scanEnabled: boolean;
  publishAttestationLog: string;
}

/** State read from storage at the moment of the request. */
export interface LiveFacts {
  /** Packages on the stored critical list now. */
  criticalPackages: number;
  /** Registry signing keys published at /-/npm/v1/keys. */
  signingKeys: number;
}

export type Status = 'met' | 'partial' | 'not-met';

export interface Verdict {
  status: Status;
  reason: string;
}

export interface AssessedItem extends Principle, Verdict {}

export interface TrackAssessment {
  track: Track;
  title: string;
  /** The highest level whose items, and every lower level's, are all met; 0 when level 1 is not. */
  levelReached: 0 | Level;
  items: AssessedItem[];
}

export interface Assessment {
  generatedAt: string;
  tracks: TrackAssessment[];
}

type Facts = { settings: AssessedSettings; live: LiveFacts };
type Evaluator = (facts: Facts) => Verdict;

const met = (reason: string): Verdict => ({ status: 'met', reason });
const partial = (reason: string): Verdict => ({ status: 'partial', reason });
const notMet = (reason: string): Verdict => ({ status: 'not-met', reason });

export const NOT_BUILT_REASON = 'not built in this version';

/** Mail that leaves the machine: without SMTP it is written to the outbox folder and nobody receives it. */
function mailNote(s: AssessedSettings): string | undefined {
  return s.smtpUrl ? undefined : 'no SMTP server is configured (smtpUrl), so mail is only written to the outbox folder';
}

function oidcIssuers(s: AssessedSettings): number {
  let custom = 0;
  try {
    const parsed: unknown = s.oidcIssuers ? JSON.parse(s.oidcIssuers) : [];
    custom = Array.isArray(parsed) ? parsed.length : 0;
  } catch {
    custom = 0;
  }
  return [s.oidcGithubIssuer, s.oidcGitlabIssuer, s.oidcCircleciIssuer].filter((i) => i !== '').length + custom;
}

function criticalList(s: AssessedSettings, live: LiveFacts): string {
  return s.criticalIntervalMs > 0
    ? `critical = top ${s.criticalPercent} % by downloads, ${live.criticalPackages} package(s) now`
    : `the critical list is never recomputed (criticalIntervalMs is 0; ${live.criticalPackages} stored)`;
}

const EVALUATORS: Record<BuiltId, Evaluator> = {
  'authn.verified-email': ({ settings: s }) => {
    const gate = 'an unverified account cannot publish or recover';
    const mail = mailNote(s);
    if (mail) return partial(`${gate}, but ${mail}: verification links do not reach users`);
    return met(
      `sign-up ${s.signup === 'on' ? 'is open and' : 'is closed; accounts made by an admin are'} verified by a mailed link; ${gate}`,
    );
  },
  'authn.recovery-policy': ({ settings: s }) =>
    met(`served at /policies/account-recovery (reset links last ${s.passwordResetMinutes} minutes)`),
  'authn.totp': ({ settings: s }) =>
    s.mfaNewFactors === 'any'
      ? met('TOTP (RFC 6238) with recovery codes; npm profile enable-2fa works')
      : met('new second factors are security keys or passkeys only (mfaNewFactors = webauthn-only), stronger than TOTP'),
  'authn.security-emails': ({ settings: s }) => {
    const what = 'password, email, second-factor, token and ownership changes each queue a mail';
    const mail = mailNote(s);
    return mail ? partial(`${what}, but ${mail}`) : met(`${what}, sent through SMTP`);
  },
  'authn.brute-force': ({ settings: s }) =>
    met(
      `passwords, one-time codes, recovery codes and reset links back off after ${s.guessBackoffAfter} wrong guesses ` +
        `and lock for ${s.guessLockMinutes} minutes after ${s.guessLockAfter}, per account and per address`,
    ),
  'authn.abandoned-domains': ({ settings: s }) =>
    s.emailDomainCheckMs > 0
      ? met('every email domain is rechecked in DNS periodically and before each recovery mail; a dead one blocks email recovery')
      : partial('domains are checked before each recovery mail, but the periodic recheck is off (emailDomainCheckMs is 0)'),
  'authn.webauthn': () => met('security keys as a second factor on the web and for the npm login web flow'),
  'authn.mfa-critical': ({ settings: s, live }) => {
    const list = criticalList(s, live);
    if (!s.mfaRequiredForMaintainers && !s.criticalRequireSecurityKey)
      return notMet("off in this deployment's config (mfaRequiredForMaintainers and criticalRequireSecurityKey are both off)");
    if (s.criticalIntervalMs <= 0) return partial(`required, but ${list}`);
    return met(`maintainers of critical packages cannot publish or change owners without a second factor (${list})`);
  },
  'authn.leaked-credentials': ({ settings: s }) =>
    s.hibpUrl
      ? met('passwords are checked against Have I Been Pwned (range API) and the bundled list at sign-up, change and login')
      : partial(
          'passwords are checked at sign-up, change and login against the bundled list only; set hibpUrl to use Have I Been Pwned',
        ),
  'authn.passwordless': () => met('passkeys (discoverable WebAuthn credentials) sign in without a password'),
  'authn.mfa-all-maintainers': ({ settings: s }) => {
    if (!s.mfaRequiredForMaintainers)
      return notMet("MFA for all maintainers: off in this deployment's config (mfaRequiredForMaintainers)");
    const grace = s.mfaGraceDays > 0 ? `, after a ${s.mfaGraceDays}-day grace period with warnings` : '';
    return met(`every maintainer needs a second factor to publish or change owners${grace}`);
  },
  'authn.phishing-resistant-critical': ({ settings: s, live }) => {
    if (!s.criticalRequireSecurityKey) return notMet("off in this deployment's config (criticalRequireSecurityKey)");
    if (s.criticalIntervalMs <= 0) return partial(`a security key or passkey is required, but ${criticalList(s, live)}`);
    return met(`maintainers of critical packages need a security key or passkey (${criticalList(s, live)})`);
  },
  'authz.scoped-tokens': ({ settings: s }) =>
    met(`granular tokens limited to packages, scopes or orgs, read/publish/manage, CIDR ranges, at most ${s.tokenMaxDays} days`),
  'authz.token-prefix': () =>
    met('every token starts with gth_ and ends in a checksum, so scanners match it without false positives'),
  'authz.rbac': () => met('orgs and teams: owners and admins manage people, developers and teams publish'),
  'authz.oidc': ({ settings: s }) => {
    const issuers = oidcIssuers(s);
    return issuers > 0
      ? met(`trusted publishing from ${issuers} issuer(s); tokens live ${s.trustTokenMinutes} minutes`)
      : notMet('no OIDC issuer is configured');
  },
  'authz.secret-scanning': ({ settings: s }) =>
    s.secretScanningKeysUrl
      ? met("GitHub's secret-scanning reports are verified and valid leaked tokens revoked at once, their owners mailed")
      : partial('tokens have a scannable prefix, but the reporting endpoint is off (secretScanningKeysUrl is empty)'),
  'general.disclosure-policy': ({ settings: s }) =>
    s.securityContact
      ? met('/.well-known/security.txt and /policies/security: scope, safe harbour, 90-day remediation target')
      : partial(
          'policy and security.txt are served, but the contact is the default mailto:security@<host>; set securityContact to an address someone reads',
        ),
  'general.unpublish-policy': ({ settings: s }) =>
    met(
      `name@version is never reused and tarball bytes never change; maintainers may unpublish for ${s.unpublishWindowHours} hours; ` +
        'removed names stay reserved',
    ),
  'general.typosquatting': ({ settings: s }) =>
    s.typosquatPolicy === 'off'
      ? notMet('the typosquatting check is off in this deployment (typosquatPolicy=off)')
      : met(
          `a new name is compared with the protected list and this registry's popular names (policy: ${s.typosquatPolicy}); protected names only by an admin or gatehouse import`,
        ),
  'general.malware-detection': ({ settings: s }) =>
    s.scanEnabled
      ? met(
          'every version is scanned before it is installable: known-bad digests, OSV MAL- advisories, rules over scripts and files, a diff against the previous version; a held version waits in the one quarantine queue (/admin/quarantine), visible only to its owners and admins',
        )
      : notMet('malware scanning is off in this deployment (scanEnabled=false)'),
  'general.vulnerability-warnings-ui': () =>
    met(
      'package and version pages list imported OSV advisories of the version and of its direct dependencies; npm and pnpm audit answer from them',
    ),
  'general.transparency-log': () =>
    met(
      'every change clients see is a leaf of an RFC 6962 log with signed C2SP checkpoints, tiles, proofs and witness cosignatures; `gatehouse verify` checks a lockfile',
    ),
  'authz.build-provenance': ({ settings: s }) => {
    const built =
      'Sigstore provenance bundles are verified at publish (chain, SCT, log inclusion, digest, trusted-publisher identity), stored, served as attestations and shown on package pages, with continuity rules';
    return s.publishAttestationLog
      ? met(`${built}; trusted publishes get the registry-signed publish attestation, logged in ${s.publishAttestationLog}`)
      : partial(`${built}; no publish attestation is issued for trusted publishes (publishAttestationLog is empty)`);
  },
  'general.report-package': () =>
    met(
      'anyone signed in reports a package or version from its page, with `gatehouse report` or POST /-/gatehouse/v1/packages/:pkg/reports; admins moderate at /admin/reports and /admin/quarantine, each action with their second factor',
    ),
  'general.malicious-advisories-osv': () =>
    met(
      'each package confirmed malicious is an OSV MAL- record at /-/gatehouse/v1/osv/<id>.json and in /-/gatehouse/v1/osv/all.zip',
    ),
  'general.security-review': () =>
    partial(
      'Gatehouse ships a threat model, review checklist and property tests (docs/threat-model.md); a periodic review of this ' +
        "deployment's infrastructure is the operator's and cannot be seen from its configuration",
    ),
};

function evaluate(item: Principle, facts: Facts): Verdict {
  if ((NOT_BUILT as readonly PrincipleId[]).includes(item.id)) {
    // Say what exists nearby, so "not met" is not read as "nothing at all".
    return notMet(NOT_BUILT_REASON);
  }
  return EVALUATORS[item.id as BuiltId](facts);
}

function levelReached(items: AssessedItem[]): 0 | Level {
  let reached: 0 | Level = 0;
  for (const level of [1, 2, 3] as const) {
    if (!items.filter((i) => i.level === level).every((i) => i.status === 'met')) break;
    reached = level;
  }
  return reached;
}

export function assess(settings: AssessedSettings, live: LiveFacts, now: Date): Assessment {
  const facts = { settings, live };
  const items: AssessedItem[] = PRINCIPLES.map((p) => ({ ...p, ...evaluate(p, facts) }));
  return {
    generatedAt: now.toISOString(),
    tracks: TRACKS.map((track) => {
      const own = items.filter((i) => i.track === track);
      return { track, title: TRACK_TITLES[track], levelReached: levelReached(own), items: own };
    }),
  };
}
