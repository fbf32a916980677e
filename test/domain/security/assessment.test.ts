// The self-assessment lists every item of the Principles document, says "not built in this
// version" for what is missing, and follows the configuration: turning a policy off turns its
// item from met to not met and lowers the track's level.
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../../src/config.js';
import { assess, NOT_BUILT_REASON, type AssessedSettings, type Assessment } from '../../../src/domain/security/assessment.js';
import { NOT_BUILT, PRINCIPLES } from '../../../src/domain/security/principles.js';

const NOW = new Date('2026-12-04T00:00:00Z');
const LIVE = { criticalPackages: 3, signingKeys: 1 };
// Every item this version can meet, met: SMTP, HIBP, secret scanning and a contact configured.
const FULL: AssessedSettings = {
  ...DEFAULTS,
  smtpUrl: 'smtp://mail.example:25',
  hibpUrl: 'https://api.pwnedpasswords.com',
  secretScanningKeysUrl: 'https://api.github.com/meta/public_keys/secret_scanning',
  securityContact: 'mailto:security@registry.example',
};

function item(report: Assessment, id: string) {
  const found = report.tracks.flatMap((t) => t.items).find((i) => i.id === id);
  if (!found) throw new Error(`no item ${id}`);
  return found;
}
const level = (report: Assessment, track: string) => report.tracks.find((t) => t.track === track)?.levelReached;

describe('security self-assessment', () => {
  it('lists every item of all four tracks with its level, as the Principles document has them', () => {
    const report = assess(FULL, LIVE, NOW);
    const counts = Object.fromEntries(report.tracks.map((t) => [t.track, t.items.map((i) => i.level)]));
    expect(counts).toEqual({
      authentication: [1, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3],
      authorization: [1, 1, 2, 3, 3, 3],
      general: [1, 1, 2, 2, 2, 2, 3, 3, 3],
      cli: [1, 2, 3, 3, 3],
    });
    expect(new Set(PRINCIPLES.map((p) => p.id)).size).toBe(32);
    for (const i of report.tracks.flatMap((t) => t.items)) {
      expect(['met', 'partial', 'not-met']).toContain(i.status);
      expect(i.reason.length, i.id).toBeGreaterThan(5);
    }
    expect(report.generatedAt).toBe(NOW.toISOString());
  });

  it('reports every feature not built yet as not met, "not built in this version"', () => {
    const report = assess(FULL, LIVE, NOW);
    for (const id of NOT_BUILT) {
      expect(item(report, id).status, id).toBe('not-met');
      expect(item(report, id).reason, id).toContain(NOT_BUILT_REASON);
    }
    // With every built item met, authentication reaches level 3 and the others stop where a feature is missing.
    expect(report.tracks.map((t) => [t.track, t.levelReached])).toEqual([
      ['authentication', 3],
      ['authorization', 2],
      ['general', 2],
      ['cli', 0],
    ]);
  });

  it('turns "MFA for all maintainers" to not met, with the reason, when the policy is off', () => {
    const on = assess(FULL, LIVE, NOW);
    const off = assess({ ...FULL, mfaRequiredForMaintainers: false }, LIVE, NOW);
    expect(item(on, 'authn.mfa-all-maintainers').status).toBe('met');
    expect(item(off, 'authn.mfa-all-maintainers')).toMatchObject({
      status: 'not-met',
      reason: expect.stringMatching(/off in this deployment's config/),
    });
    expect(level(on, 'authentication')).toBe(3);
    expect(level(off, 'authentication')).toBe(2);
    // With the security-key rule off too, critical packages need no MFA at all: level 1.
    const none = assess({ ...FULL, mfaRequiredForMaintainers: false, criticalRequireSecurityKey: false }, LIVE, NOW);
    expect(item(none, 'authn.mfa-critical').status).toBe('not-met');
    expect(item(none, 'authn.phishing-resistant-critical').status).toBe('not-met');
    expect(level(none, 'authentication')).toBe(1);
  });

  it('follows the other switches: mail, leaked passwords, secret scanning, domain checks, OIDC, contact', () => {
    const defaults = assess(DEFAULTS, LIVE, NOW);
    expect(item(defaults, 'authn.verified-email').status).toBe('partial');
    expect(item(defaults, 'authn.security-emails').reason).toMatch(/smtpUrl/);
    expect(item(defaults, 'authn.leaked-credentials').status).toBe('partial');
    expect(item(defaults, 'authz.secret-scanning').status).toBe('partial');
    expect(item(defaults, 'general.disclosure-policy').status).toBe('partial');
    expect(level(defaults, 'authentication')).toBe(0);
    const noRecheck = assess({ ...FULL, emailDomainCheckMs: 0 }, LIVE, NOW);
    expect(item(noRecheck, 'authn.abandoned-domains').status).toBe('partial');
    const noIssuers = assess({ ...FULL, oidcGithubIssuer: '', oidcGitlabIssuer: '', oidcCircleciIssuer: '' }, LIVE, NOW);
    expect(item(noIssuers, 'authz.oidc').status).toBe('not-met');
    const custom = assess(
      {
        ...FULL,
        oidcGithubIssuer: '',
        oidcGitlabIssuer: '',
        oidcCircleciIssuer: '',
        oidcIssuers: '[{"issuer":"https://ci.example","claims":["sub"]}]',
      },
      LIVE,
      NOW,
    );
    expect(item(custom, 'authz.oidc')).toMatchObject({ status: 'met', reason: expect.stringContaining('1 issuer') });
  });

  it('reads the live state: the critical list now, and the signing keys beside build provenance', () => {
    expect(item(assess(FULL, { criticalPackages: 7, signingKeys: 2 }, NOW), 'authn.mfa-critical').reason).toContain(
      '7 package(s)',
    );
    expect(item(assess(FULL, { criticalPackages: 0, signingKeys: 2 }, NOW), 'authz.build-provenance').status).toBe('partial');
    const logged = { ...FULL, publishAttestationLog: 'https://rekor.example' };
    expect(item(assess(logged, { criticalPackages: 0, signingKeys: 2 }, NOW), 'authz.build-provenance').status).toBe('met');
    expect(item(assess({ ...FULL, scanEnabled: false }, LIVE, NOW), 'general.malware-detection').status).toBe('not-met');
    const stale = assess({ ...FULL, criticalIntervalMs: 0 }, LIVE, NOW);
    expect(item(stale, 'authn.mfa-critical').status).toBe('partial');
  });
});
