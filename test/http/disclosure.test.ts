// The disclosure policy and the self-assessment as a visitor finds them: /.well-known/security.txt
// (RFC 9116) whose Expires always lies ahead of the registry's clock, the policy page it points at,
// and /-/security/principles with its page, which follow this deployment's configuration.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { ManualClock } from '../../src/domain/clock.js';
import { ConfigError } from '../../src/config.js';
import type { Assessment } from '../../src/domain/security/assessment.js';
import type { Registry } from '../../src/registry.js';
import { buildApp } from '../../src/http/app.js';

/** security.txt's fields, each name with every value it was given. */
function fields(text: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z-]+): (.*)$/.exec(line);
    if (m) (out[m[1]!] ??= []).push(m[2]!);
  }
  return out;
}

const page = (r: TestRegistry, url: string) => r.inject({ method: 'GET', url, headers: { accept: 'text/html' } });

for (const engine of ENGINES) {
  describe(`disclosure policy and self-assessment (${engine})`, () => {
    let r: TestRegistry;
    const clock = new ManualClock('2026-12-04T01:00:00Z');

    beforeAll(async () => {
      r = await startRegistry(engine, { deps: { clock } });
    });
    afterAll(() => r.close());

    it('serves security.txt with a contact from the registry host, the policy, the canonical URL and a future Expires', async () => {
      const res = await r.inject({ method: 'GET', url: '/.well-known/security.txt' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
      const f = fields(res.body);
      expect(f.Contact).toEqual(['mailto:security@registry.test']);
      expect(f.Policy).toEqual(['http://registry.test/policies/security']);
      expect(f.Canonical).toEqual(['http://registry.test/.well-known/security.txt']);
      expect(f['Preferred-Languages']).toEqual(['en']);
      expect(f.Expires).toEqual(['2027-12-03T01:00:00Z']);
    });

    it('moves Expires with the clock, so a registry running for years never serves a stale file', async () => {
      clock.advance(3 * 365 * 24 * 60 * 60 * 1000);
      const expires = Date.parse(fields((await r.inject({ method: 'GET', url: '/.well-known/security.txt' })).body).Expires![0]!);
      expect(expires).toBeGreaterThan(clock.now());
      expect(expires - clock.now()).toBeLessThanOrEqual(365 * 24 * 60 * 60 * 1000);
    });

    it('serves the policy page with scope, safe harbour, the 90-day target and the contact', async () => {
      const res = await page(r, '/policies/security');
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-security-policy']).toBeDefined();
      expect(res.body).toContain('href="mailto:security@registry.test"');
      expect(res.body).toMatch(/<strong class="remediation">90 days<\/strong>/);
      for (const heading of ['What is in scope', 'What is not in scope', 'Safe harbour']) expect(res.body).toContain(heading);
    });

    it('lists every principle live at /-/security/principles, computed from this deployment', async () => {
      const res = await r.inject({ method: 'GET', url: '/-/security/principles' });
      expect(res.statusCode).toBe(200);
      const report = res.json<Assessment>();
      expect(report.tracks.map((t) => t.items.length)).toEqual([12, 6, 9, 5]);
      const items = report.tracks.flatMap((t) => t.items);
      expect(items.find((i) => i.id === 'authn.mfa-all-maintainers')?.status).toBe('met');
      expect(items.find((i) => i.id === 'cli.sbom')).toMatchObject({
        status: 'not-met',
        reason: 'not built in this version',
      });
      expect(items.find((i) => i.id === 'general.typosquatting')?.status).toBe('met');
      expect(items.find((i) => i.id === 'authz.build-provenance')?.status).toBe('partial');
      expect(report.generatedAt).toBe(new Date(clock.now()).toISOString());
    });

    it('renders the same report as a page, a table per track with its level', async () => {
      const res = await page(r, '/policies/security-assessment');
      expect(res.statusCode).toBe(200);
      expect(res.body.match(/<section class="track"/g)).toHaveLength(4);
      expect(res.body.match(/<tr class="principle /g)).toHaveLength(32);
      expect(res.body).toContain('data-id="authn.mfa-all-maintainers"');
    });
  });

  describe(`a deployment's own settings (${engine})`, () => {
    let r: TestRegistry;

    beforeAll(async () => {
      r = await startRegistry(engine, {
        config: {
          mfaRequiredForMaintainers: false,
          securityContact: 'mailto:psirt@corp.example, https://corp.example/report',
          securityLanguages: 'en, de',
          securityTxtExpiresDays: 30,
          securityPolicyUrl: 'https://corp.example/security-policy',
        },
      });
    });
    afterAll(() => r.close());

    it('puts the configured contacts, languages, policy and expiry in security.txt', async () => {
      const f = fields((await r.inject({ method: 'GET', url: '/.well-known/security.txt' })).body);
      expect(f.Contact).toEqual(['mailto:psirt@corp.example', 'https://corp.example/report']);
      expect(f['Preferred-Languages']).toEqual(['en, de']);
      expect(f.Policy).toEqual(['https://corp.example/security-policy']);
      const days = (Date.parse(f.Expires![0]!) - Date.now()) / 86_400_000;
      expect(days).toBeGreaterThan(29);
      expect(days).toBeLessThanOrEqual(30);
    });

    it('says MFA for all maintainers is off here, and the track stops below level 3', async () => {
      const report = (await r.inject({ method: 'GET', url: '/-/security/principles' })).json<Assessment>();
      const authn = report.tracks.find((t) => t.track === 'authentication')!;
      expect(authn.items.find((i) => i.id === 'authn.mfa-all-maintainers')).toMatchObject({
        status: 'not-met',
        reason: expect.stringMatching(/off in this deployment's config/),
      });
      expect(authn.levelReached).toBeLessThan(3);
      const page = await r.inject({ method: 'GET', url: '/policies/security-assessment', headers: { accept: 'text/html' } });
      expect(page.body).toMatch(/<tr class="principle not-met" data-id="authn.mfa-all-maintainers">/);
    });
  });

  describe(`settings that make no valid security.txt (${engine})`, () => {
    it('stop the app from being built, with a ConfigError naming the setting', async () => {
      const r = await startRegistry(engine);
      try {
        for (const bad of [
          { securityContact: 'security@corp.example' },
          { securityTxtExpiresDays: 400 },
          { securityLanguages: 'english!' },
        ]) {
          const registry: Registry = { ...r.registry, config: { ...r.registry.config, ...bad } };
          await expect(buildApp(registry, { logger: false })).rejects.toBeInstanceOf(ConfigError);
        }
      } finally {
        await r.close();
      }
    });
  });
}
