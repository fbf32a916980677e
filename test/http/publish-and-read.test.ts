import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { packageBuilder } from '../fixtures/package-builder.js';

for (const engine of ENGINES) {
  describe(`publish and read (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    beforeAll(async () => {
      r = await startRegistry(engine);
      alice = await r.createUser('alice');
    });
    afterAll(() => r.close());

    it('serves a published version with server-set time and dist fields', async () => {
      const body = packageBuilder('@acme/left', '1.0.0').file('index.js', 'module.exports = 1;\n').readme('# left').publishBody(r.url);
      const put = await r.inject({ method: 'PUT', url: '/@acme%2fleft', headers: { authorization: `Bearer ${alice.token}` }, payload: body });
      expect(put.statusCode).toBe(201);
      const full = await r.inject({ method: 'GET', url: '/@acme%2fleft' });
      expect(full.statusCode).toBe(200);
      const doc = full.json();
      expect(doc['dist-tags']).toEqual({ latest: '1.0.0' });
      expect(doc.versions['1.0.0'].dist.tarball).toBe(`${r.url}/@acme/left/-/left-1.0.0.tgz`);
      expect(doc.versions['1.0.0'].dist.fileCount).toBe(3);
      expect(Date.parse(doc.time['1.0.0'])).toBeGreaterThan(Date.now() - 60_000);
      const etag = full.headers.etag as string;
      const again = await r.inject({ method: 'GET', url: '/@acme/left', headers: { 'if-none-match': etag } });
      expect(again.statusCode).toBe(304);
      const corgi = await r.inject({ method: 'GET', url: '/@acme%2Fleft', headers: { accept: 'application/vnd.npm.install-v1+json' } });
      expect(corgi.headers['content-type']).toContain('application/vnd.npm.install-v1+json');
      expect(corgi.json().modified).toBe(doc.time.modified);
      expect(corgi.json().versions['1.0.0'].readme).toBeUndefined();
      const tgz = await r.inject({ method: 'GET', url: '/@acme/left/-/left-1.0.0.tgz' });
      expect(tgz.statusCode).toBe(200);
      expect(tgz.rawPayload.equals(Buffer.from((body as { _attachments: Record<string, { data: string }> })._attachments['@acme/left-1.0.0.tgz']!.data, 'base64'))).toBe(true);
    });

    it('flags an install script found in the tarball even when the publish document hides it', async () => {
      const body = packageBuilder('hidden-hook', '1.0.0')
        .packageJson({ scripts: { postinstall: 'node setup.js' } })
        .file('setup.js', '')
        .publishBody(r.url) as { versions: Record<string, Record<string, unknown>> };
      delete body.versions['1.0.0']!.scripts;
      body.versions['1.0.0']!.hasInstallScript = false;
      const put = await r.inject({ method: 'PUT', url: '/hidden-hook', headers: { authorization: `Bearer ${alice.token}` }, payload: body });
      expect(put.statusCode).toBe(201);
      const corgi = await r.inject({ method: 'GET', url: '/hidden-hook', headers: { accept: 'application/vnd.npm.install-v1+json' } });
      expect(corgi.json().versions['1.0.0'].hasInstallScript).toBe(true);
    });
  });
}
