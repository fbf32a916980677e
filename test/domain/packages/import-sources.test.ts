// Where `gatehouse import` reads from: the token reaches only the registry it was given for (not a
// tarball host a packument names, not a redirect target), and a folder source never reads outside
// its folder whatever file name a packument's tarball URL carries.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FolderImportSource, RegistryImportSource } from '../../../src/domain/packages/import-sources.js';
import type { PackageName } from '../../../src/domain/packages/names.js';

const TOKEN = 'gth_import-test-token';

function listen(handler: (url: string, headers: IncomingHttpHeaders) => [number, Record<string, string>, string]) {
  const server = createServer((req, res) => {
    const [status, headers, body] = handler(req.url ?? '', req.headers);
    res.writeHead(status, headers).end(body);
  });
  return new Promise<{ server: Server; origin: string }>((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
    ),
  );
}

describe('RegistryImportSource', () => {
  const seen: { host: 'registry' | 'cdn'; url: string; authorization?: string }[] = [];
  let registry: { server: Server; origin: string };
  let cdn: { server: Server; origin: string };

  beforeAll(async () => {
    cdn = await listen((url, headers) => {
      seen.push({ host: 'cdn', url, authorization: headers.authorization });
      return [200, { 'content-type': 'application/octet-stream' }, 'tarball bytes'];
    });
    registry = await listen((url, headers) => {
      seen.push({ host: 'registry', url, authorization: headers.authorization });
      if (url === '/redirected.tgz') return [302, { location: `${cdn.origin}/signed.tgz` }, ''];
      return [200, { 'content-type': 'application/json' }, JSON.stringify({ name: 'lib', versions: {} })];
    });
  });
  afterAll(() => {
    registry.server.close();
    cdn.server.close();
  });

  it('sends the token to the registry only, not to another host nor through a redirect', async () => {
    const source = new RegistryImportSource(`${registry.origin}/`, TOKEN);
    expect(await source.packument('lib' as PackageName)).toEqual({ name: 'lib', versions: {} });
    const direct = await source.tarball('lib' as PackageName, '1.0.0', { tarball: `${cdn.origin}/lib-1.0.0.tgz` });
    expect(direct.toString()).toBe('tarball bytes');
    await source.tarball('lib' as PackageName, '1.0.0', { tarball: `${registry.origin}/redirected.tgz` });
    expect(seen.filter((s) => s.host === 'registry').map((s) => s.authorization)).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
    expect(seen.filter((s) => s.host === 'cdn').map((s) => [s.url, s.authorization])).toEqual([
      ['/lib-1.0.0.tgz', undefined],
      ['/signed.tgz', undefined],
    ]);
    expect(source.label).not.toContain(TOKEN);
  });
});

describe('FolderImportSource', () => {
  let root: string;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'gatehouse-import-folder-'));
    const storage = join(root, 'storage');
    for (const name of ['plain', '@scope/inner', '.hidden']) {
      mkdirSync(join(storage, name), { recursive: true });
      writeFileSync(join(storage, name, 'package.json'), '{}');
    }
    mkdirSync(join(storage, 'no-packument'));
    writeFileSync(join(storage, 'plain', 'plain-1.0.0.tgz'), 'inside');
    writeFileSync(join(root, 'secret.tgz'), 'outside');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('lists the packages of a Verdaccio storage folder, scoped ones included', async () => {
    expect(await new FolderImportSource(join(root, 'storage')).names()).toEqual(['@scope/inner', 'plain']);
  });

  it('never reads outside the package folder, whatever the tarball URL names', async () => {
    const source = new FolderImportSource(join(root, 'storage'));
    const read = (tarball: string) =>
      source.tarball('plain' as PackageName, '1.0.0', { tarball }).then(
        (bytes) => bytes.toString(),
        (err: { code?: string }) => err.code,
      );
    // An encoded "../" is not a file name: the conventional name is read instead.
    expect(await read('http://x.invalid/..%2f..%2fsecret.tgz')).toBe('inside');
    expect(await read('http://x.invalid/%2e%2e%2fsecret.tgz')).toBe('inside');
    // A plain path keeps only its last segment, which is not in the package folder.
    expect(await read('../../secret.tgz')).toBe('ImportFailed');
    expect(await read('http://x.invalid/plain/-/plain-1.0.0.tgz')).toBe('inside');
  });
});
