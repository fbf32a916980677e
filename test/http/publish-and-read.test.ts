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
      const body = packageBuilder('@acme/left', '1.0.0')
        .file('index.js', 'module.exports = 1;\n')
        .readme('# left')
        .publishBody(r.url);
      const put = await r.inject({
        method: 'PUT',
        url: '/@acme%2fleft',
        headers: { authorization: `Bearer ${alice.token}` },
        payload: body,
      });
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
      const corgi = await r.inject({
        method: 'GET',
        url: '/@acme%2Fleft',
        headers: { accept: 'application/vnd.npm.install-v1+json' },
      });
      expect(corgi.headers['content-type']).toContain('application/vnd.npm.install-v1+json');
      expect(corgi.json().modified).toBe(doc.time.modified);
      expect(corgi.json().versions['1.0.0'].readme).toBeUndefined();
      const tgz = await r.inject({ method: 'GET', url: '/@acme/left/-/left-1.0.0.tgz' });
      expect(tgz.statusCode).toBe(200);
      expect(
        tgz.rawPayload.equals(
          Buffer.from(
            (body as { _attachments: Record<string, { data: string }> })._attachments['@acme/left-1.0.0.tgz']!.data,
            'base64',
          ),
        ),
      ).toBe(true);
    });

    it('serves a tarball whose packument was never read, and nothing for versions it does not have', async () => {
      // A fresh instance of a fleet, or a cache that evicted the package: the tarball comes from the version row.
      const builder = packageBuilder('cold-read', '1.0.0').file('index.js', 'module.exports = "cold";\n');
      expect((await r.publish(alice, builder)).statusCode).toBe(201);
      expect((await r.publish(alice, packageBuilder('cold-read', '1.1.0'))).statusCode).toBe(201);
      const unpublish = await r.inject({
        method: 'DELETE',
        url: '/cold-read/-/cold-read-1.1.0.tgz',
        headers: { authorization: `Bearer ${alice.token}` },
      });
      expect(unpublish.statusCode, unpublish.body).toBe(200);
      const cold = async (url: string) => {
        r.registry.packages.packuments.clear();
        return r.inject({ method: 'GET', url });
      };
      const tgz = await cold('/cold-read/-/cold-read-1.0.0.tgz');
      expect(tgz.statusCode).toBe(200);
      expect(tgz.rawPayload.equals(builder.tarball())).toBe(true);
      expect(r.registry.packages.packuments.peek('cold-read')).toBeUndefined();
      expect((await cold('/cold-read/-/cold-read-1.1.0.tgz')).statusCode).toBe(404);
      expect((await cold('/cold-read/-/cold-read-9.9.9.tgz')).statusCode).toBe(404);
      expect((await cold('/cold-read/-/other-1.0.0.tgz')).statusCode).toBe(404);
      expect((await cold('/no-such-package/-/no-such-package-1.0.0.tgz')).statusCode).toBe(404);
    });

    it("carries the latest version's README in the full packument, and follows latest when it moves", async () => {
      expect((await r.publish(alice, packageBuilder('read-me', '1.0.0').readme('# first release'))).statusCode).toBe(201);
      expect((await r.publish(alice, packageBuilder('read-me', '1.1.0').readme('# second release'))).statusCode).toBe(201);
      const readme = async () => (await r.inject({ method: 'GET', url: '/read-me' })).json<{ readme?: string }>().readme;
      expect(await readme()).toBe('# second release');
      const moved = await r.inject({
        method: 'PUT',
        url: '/-/package/read-me/dist-tags/latest',
        headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/json' },
        payload: '"1.0.0"',
      });
      expect(moved.statusCode, moved.body).toBe(200);
      expect(await readme()).toBe('# first release');
    });

    it('flags an install script found in the tarball even when the publish document hides it', async () => {
      const body = packageBuilder('hidden-hook', '1.0.0')
        .packageJson({ scripts: { postinstall: 'node setup.js' } })
        .file('setup.js', '')
        .publishBody(r.url) as { versions: Record<string, Record<string, unknown>> };
      delete body.versions['1.0.0']!.scripts;
      body.versions['1.0.0']!.hasInstallScript = false;
      const put = await r.inject({
        method: 'PUT',
        url: '/hidden-hook',
        headers: { authorization: `Bearer ${alice.token}` },
        payload: body,
      });
      expect(put.statusCode).toBe(201);
      const corgi = await r.inject({
        method: 'GET',
        url: '/hidden-hook',
        headers: { accept: 'application/vnd.npm.install-v1+json' },
      });
      expect(corgi.json().versions['1.0.0'].hasInstallScript).toBe(true);
    });
  });
}
