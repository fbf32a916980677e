// The package page's provenance (OpenSSF attestations UI guidance): four cards near the
// maintainers with literal links to the source, the build instructions and the log entry, the word
// "confirmed" and never "verified", a security tab per version; and the staged-versions section,
// which only the package's maintainers see.
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { localSigstore, purl, withProvenance } from '../support/sigstore.js';
import { packageBuilder } from '../fixtures/package-builder.js';
import { bearer, published } from '../support/npm-protocol.js';
import { browser, signedInBrowser } from './session-browser.js';

const COMMIT = 'c0ffee'.repeat(6) + 'c0ff';

/** The sidebar's provenance box, as served. */
function provenanceOf(page: string): string {
  return /<div class="provenance" id="provenance">([\s\S]*?)<\/aside>/.exec(page)?.[1] ?? '';
}

for (const engine of ENGINES) {
  describe(`package page provenance and stages (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    let bob: TestUser;

    beforeAll(async () => {
      const sigstore = await localSigstore();
      const rootPath = join(mkdtempSync(join(tmpdir(), 'gatehouse-page-')), 'trusted_root.json');
      writeFileSync(rootPath, JSON.stringify(sigstore.trustedRoot));
      r = await startRegistry(engine, { config: { provenanceTrustedRoot: rootPath } });
      alice = await r.createUser('alice');
      bob = await r.createUser('bob');
      const built = packageBuilder('built-widget', '1.0.0');
      const bundle = await sigstore.provenance(
        [{ name: purl('built-widget', '1.0.0'), sha512Hex: createHash('sha512').update(built.tarball()).digest('hex') }],
        { repository: 'acme/widget', commit: COMMIT },
      );
      const put = await r.inject({
        method: 'PUT',
        url: '/built-widget',
        headers: bearer(alice.token),
        payload: withProvenance(built.publishBody(r.url), 'built-widget', '1.0.0', bundle),
      });
      expect(put.statusCode, put.body).toBe(201);
      await published(r, alice, packageBuilder('plain-widget', '1.0.0'));
      const staged = await r.inject({
        method: 'POST',
        url: '/-/stage/package/plain-widget',
        headers: bearer(alice.token),
        payload: packageBuilder('plain-widget', '1.1.0').publishBody(r.url, { tag: 'next' }),
      });
      expect(staged.statusCode, staged.body).toBe(201);
    });
    afterAll(async () => {
      await r?.close();
    });

    it('shows source, build, integrity and attestation cards with literal links, "confirmed" and not "verified"', async () => {
      const page = await browser(r).get('/package/built-widget');
      expect(page.statusCode).toBe(200);
      const box = provenanceOf(page.body);
      for (const card of ['source', 'build', 'integrity', 'attestation']) expect(box).toContain(`data-card="${card}"`);
      expect(box).toContain('href="https://github.com/acme/widget"');
      expect(box).toContain(`href="https://github.com/acme/widget/commit/${COMMIT}"`);
      expect(box).toContain(`href="https://github.com/acme/widget/blob/${COMMIT}/.github/workflows/release.yml"`);
      expect(box).toMatch(/Built and signed on\s+GitHub Actions/);
      expect(box).toMatch(/transparency log entry #\d+/);
      expect(box).toContain('href="/-/npm/v1/attestations/built-widget@1.0.0"');
      expect(box).toContain('confirmed');
      expect(page.body).not.toMatch(/verified/i);
      // The maintainers come just before it.
      expect(page.body.indexOf('class="maintainers"')).toBeLessThan(page.body.indexOf('id="provenance"'));
    });

    it('has a security tab per version that carries its provenance', async () => {
      const page = await browser(r).get('/package/built-widget/v/1.0.0');
      expect(page.body).toContain('href="/package/built-widget/v/1.0.0#security"');
      const tab = /<section class="security-tab-panel" id="security"[\s\S]*?<\/section>/.exec(page.body)?.[0] ?? '';
      expect(tab).toContain('Security of 1.0.0');
      expect(tab).toContain('Provenance confirmed at publish');
    });

    it('says plainly when a version has no provenance', async () => {
      const page = await browser(r).get('/package/plain-widget');
      expect(provenanceOf(page.body)).toContain('No provenance');
      expect(provenanceOf(page.body)).not.toContain('data-card=');
    });

    it('shows staged versions to a maintainer, with who staged them and how to decide', async () => {
      const page = await (await signedInBrowser(r, alice)).get('/package/plain-widget');
      const section = /<section class="staged-versions"[\s\S]*?<\/section>/.exec(page.body)?.[0] ?? '';
      expect(section).toContain('Staged versions');
      expect(section).toContain('<td>1.1.0</td>');
      expect(section).toContain('<span class="tag">next</span>');
      expect(section).toContain('<td>alice</td>');
      expect(section).toMatch(/npm stage approve [0-9a-f-]{36} --otp=/);
      expect(page.headers['cache-control']).toBe('no-store');
    });

    it('hides staged versions from everyone else', async () => {
      for (const b of [browser(r), await signedInBrowser(r, bob)]) {
        const page = await b.get('/package/plain-widget');
        expect(page.statusCode).toBe(200);
        expect(page.body).not.toContain('Staged versions');
        expect(page.body).not.toContain('1.1.0');
      }
    });
  });
}
