// Real popular packages with install scripts (native builds, prebuilt-binary installers,
// postinstall banners, git-hook installers) fetched with the real `npm pack` into a temporary
// folder and published through the registry exactly as npm would send them: none may be held or
// refused by the malware scan. bench/scan-false-positives.mjs measures the same on 150 packages.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { inspectTarball } from '../../src/domain/packages/tarball.js';
import { hasInstallHooks } from '../../src/domain/packages/packument.js';

const REAL = [
  'esbuild@0.24.0', // postinstall: node install.js (downloads its platform binary as a fallback)
  'core-js@3.38.1', // postinstall banner
  'bcrypt@5.1.1', // install: node-pre-gyp install --fallback-to-build
  'sharp@0.33.5', // install: node install/check
  'better-sqlite3@11.5.0', // install: prebuild-install || node-gyp rebuild --release
  'protobufjs@7.4.0', // postinstall: node scripts/postinstall
  '@swc/core@1.7.26', // postinstall: node postinstall.js
  'puppeteer@23.5.0', // postinstall: node install.mjs (downloads a browser)
  'husky@4.3.8', // install: node husky install (git hooks)
  'canvas@2.11.2', // install: node-pre-gyp install --fallback-to-build --update-binary
];

let folder: string;
const tarballs = new Map<string, Buffer>();

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'gatehouse-scan-real-'));
  const out = execFileSync('npm', ['pack', ...REAL, '--json', '--ignore-scripts', '--pack-destination', folder], {
    encoding: 'utf8',
    timeout: 600_000,
  });
  for (const packed of JSON.parse(out) as { id: string; filename: string }[]) {
    tarballs.set(packed.id, readFileSync(join(folder, packed.filename.replace(/^@/, '').replace('/', '-'))));
  }
}, 600_000);
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** The body npm publish sends for a tarball: its package.json as the version document. */
async function publishBody(tgz: Buffer, url: string) {
  const limits = {
    maxUnpackedBytes: 512 * 1024 * 1024,
    maxFileCount: 50_000,
    maxPathDepth: 64,
    maxPackageJsonBytes: 1024 * 1024,
  };
  const { packageJson } = await inspectTarball(tgz, limits);
  const name = packageJson.name as string;
  const version = packageJson.version as string;
  const file = `${name.split('/').pop()}-${version}.tgz`;
  const manifest = {
    ...packageJson,
    _id: `${name}@${version}`,
    dist: {
      integrity: `sha512-${createHash('sha512').update(tgz).digest('base64')}`,
      shasum: createHash('sha1').update(tgz).digest('hex'),
      tarball: `${url}/${name}/-/${file}`,
    },
  };
  const body = {
    _id: name,
    name,
    'dist-tags': { latest: version },
    versions: { [version]: manifest },
    access: null,
    _attachments: { [file]: { content_type: 'application/octet-stream', data: tgz.toString('base64'), length: tgz.length } },
  };
  return { name, version, body, installs: hasInstallHooks(packageJson.scripts) };
}

for (const engine of ENGINES) {
  describe(`real packages with install scripts pass the malware scan (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    beforeAll(async () => {
      // Real popular names: protected here, and this test is about the scan, not about names.
      r = await startRegistry(engine, { config: { typosquatPolicy: 'off' } });
      alice = await r.createUser('alice');
    });
    afterAll(() => r.close());

    it.each(REAL)('%s is published and installable', async (spec) => {
      const tgz = tarballs.get(spec);
      expect(tgz, `npm pack ${spec}`).toBeDefined();
      const { name, version, body, installs } = await publishBody(tgz!, r.url);
      expect(installs).toBe(true);
      const res = await r.inject({
        method: 'PUT',
        url: `/${name.replace('/', '%2f')}`,
        headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });
      expect(res.statusCode, res.body).toBe(201);
      const doc = (await r.inject({ method: 'GET', url: `/${name.replace('/', '%2f')}` })).json<{
        'dist-tags': { latest: string };
      }>();
      expect(doc['dist-tags'].latest).toBe(version);
      const scan = await r.inject({
        method: 'GET',
        url: `/-/gatehouse/v1/packages/${name.replace('/', '%2f')}/scan`,
        headers: { authorization: `Bearer ${alice.token}` },
      });
      const [result] = scan.json<{ objects: { verdict: string; findings: unknown[] }[] }>().objects;
      expect(['allow', 'warn'], JSON.stringify(result?.findings)).toContain(result?.verdict);
    });
  });
}
