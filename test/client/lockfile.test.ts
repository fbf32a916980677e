// The lockfile reader (src/client/lockfile.ts) takes what npm writes, however old the packages in
// it, and refuses what could steer an install outside the project, with the file, line and column.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseLockfile } from '../../src/client/lockfile.js';

const lock = (packages: Record<string, unknown>) =>
  JSON.stringify({ name: 'app', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2);

describe('package-lock.json reader', () => {
  it("reads this project's own lockfile, written by npm 11", () => {
    const text = readFileSync(new URL('../../package-lock.json', import.meta.url), 'utf8');
    const parsed = parseLockfile(text, 'package-lock.json');
    expect(parsed.packages.length).toBeGreaterThan(300);
    expect(parsed.packages.find((p) => p.path === 'node_modules/fastify')?.name).toBe('fastify');
  });

  it('keeps the shapes package authors wrote: a string cpu/os, an old engines list, a license object', () => {
    const parsed = parseLockfile(
      lock({
        '': { name: 'app', version: '1.0.0' },
        'node_modules/native': { version: '1.0.0', cpu: 'x64', os: ['linux'] },
        'node_modules/jsonparse': { version: '1.3.1', engines: ['node >= 0.2.0'], license: { type: 'MIT' } },
      }),
      'package-lock.json',
    );
    expect(parsed.packages[0]).toMatchObject({ name: 'native', cpu: ['x64'], os: ['linux'] });
    expect(parsed.packages[1]).toMatchObject({ name: 'jsonparse', version: '1.3.1' });
    expect(parsed.packages[1]!.engines).toBeUndefined();
    expect(parsed.packages[1]!.license).toBeUndefined();
  });

  it('names the line and column of broken JSON', () => {
    const text = lock({ '': { name: 'app' } }).replace('"name": "app"', '"name": "app",,');
    expect(() => parseLockfile(text, 'package-lock.json')).toThrow(/^package-lock\.json:\d+:\d+: not valid JSON/);
  });

  it.each([
    ['../outside', 'an install path must stay inside the project'],
    ['node_modules/../../etc', 'an install path must stay inside the project'],
    ['/abs/node_modules/x', 'an install path must stay inside the project'],
  ])('refuses the install path %s', (path, message) => {
    const text = lock({ '': { name: 'app' }, [path]: { version: '1.0.0' } });
    const line = text.split('\n').findIndex((l) => l.includes(JSON.stringify(path))) + 1;
    expect(() => parseLockfile(text, 'package-lock.json')).toThrow(`package-lock.json:${line}:5: "${path}": ${message}`);
  });

  it('refuses a non-string integrity and lockfile version 1', () => {
    expect(() => parseLockfile(lock({ 'node_modules/a': { version: '1.0.0', integrity: 7 } }), 'f')).toThrow(
      '"integrity" must be a string',
    );
    expect(() => parseLockfile(JSON.stringify({ lockfileVersion: 1, dependencies: {} }), 'f')).toThrow(/lockfileVersion 1/);
  });
});
