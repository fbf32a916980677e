// The two places `gatehouse import` reads from: another npm-protocol registry over HTTP, and a
// folder in Verdaccio's storage layout (`<dir>/<name>/package.json` + `<dir>/<name>/<file>.tgz`,
// scoped as `<dir>/@scope/name/`). Neither may read outside its folder nor send its token elsewhere.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { fail } from '../errors.js';
import { isObject } from './publish-document.js';
import { parsePackageName, printable, tarballFileName, type PackageName } from './names.js';
import type { ImportSource } from './import.js';

/** A registry such as Verdaccio, Nexus, Artifactory or another Gatehouse, read as npm reads it. */
export class RegistryImportSource implements ImportSource {
  readonly label: string;
  private readonly base: URL;

  constructor(
    url: string,
    private readonly token?: string,
  ) {
    this.base = new URL(url.endsWith('/') ? url : `${url}/`);
    if (this.base.protocol !== 'http:' && this.base.protocol !== 'https:') {
      fail('ImportFailed', `--from must be an http:// or https:// registry URL, not ${printable(url)}.`);
    }
    this.base.username = '';
    this.base.password = '';
    this.label = this.base.href;
  }

  async packument(name: PackageName): Promise<unknown> {
    const url = new URL(name.replace('/', '%2f'), this.base);
    const res = await this.get(url, 'application/json');
    try {
      return JSON.parse(await res.text());
    } catch {
      fail('ImportFailed', `${url.href} did not answer with a JSON packument.`);
    }
  }

  async tarball(name: PackageName, version: string, dist: unknown): Promise<Buffer> {
    const declared = isObject(dist) && typeof dist.tarball === 'string' ? dist.tarball : undefined;
    const url = declared
      ? new URL(declared, this.base)
      : new URL(`${name.replace('/', '%2f')}/-/${tarballFileName(name, version)}`, this.base);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      fail('ImportFailed', `${name}@${version}: dist.tarball is not an http(s) URL.`);
    }
    const res = await this.get(url, 'application/octet-stream');
    return Buffer.from(await res.arrayBuffer());
  }

  /**
   * Follows redirects by hand: the token goes only to the registry it was given for, never to a
   * host a packument names or a redirect points at (a tarball CDN, say).
   */
  private async get(start: URL, accept: string): Promise<Response> {
    let url = start;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop += 1) {
      const headers: Record<string, string> = { accept };
      if (this.token && url.origin === this.base.origin) headers.authorization = `Bearer ${this.token}`;
      let res: Response;
      try {
        res = await fetch(url, { headers, redirect: 'manual' });
      } catch (err) {
        fail('ImportFailed', `Could not reach ${url.origin}${url.pathname}: ${printable((err as Error).message)}.`);
      }
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        url = new URL(location, url);
        if (url.protocol !== 'http:' && url.protocol !== 'https:') break;
        continue;
      }
      if (!res.ok) fail('ImportFailed', `${url.origin}${url.pathname} answered ${res.status}.`);
      return res;
    }
    fail('ImportFailed', `${start.origin}${start.pathname} redirects too often or to a non-http address.`);
  }
}

const MAX_REDIRECTS = 5;

/** A folder of packuments and tarballs, as Verdaccio keeps its storage. */
export class FolderImportSource implements ImportSource {
  readonly label: string;
  private readonly root: string;

  constructor(dir: string) {
    this.root = resolve(dir);
    this.label = `folder:${this.root}`;
  }

  packument(name: PackageName): Promise<unknown> {
    return this.readJson(this.inside(name, 'package.json'));
  }

  async tarball(name: PackageName, version: string, dist: unknown): Promise<Buffer> {
    const declared = isObject(dist) && typeof dist.tarball === 'string' ? dist.tarball : '';
    // Verdaccio stores each tarball under the file name of its URL.
    const fromUrl = decodeURIComponent(declared.split(/[?#]/)[0]!.split('/').pop() ?? '');
    const file = /^[^/\\]+\.tgz$/.test(fromUrl) && !fromUrl.startsWith('.') ? fromUrl : tarballFileName(name, version);
    try {
      return await readFile(this.inside(name, file));
    } catch {
      fail('ImportFailed', `${name}@${version}: ${printable(file)} is not in ${this.root}/${name}/.`);
    }
  }

  /** Every package in the folder: `<name>/package.json` and `@scope/<name>/package.json`. */
  async names(): Promise<string[]> {
    const names: string[] = [];
    for (const entry of await readdir(this.root, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      const candidates = entry.name.startsWith('@')
        ? (await readdir(join(this.root, entry.name), { withFileTypes: true }))
            .filter((sub) => sub.isDirectory())
            .map((sub) => `${entry.name}/${sub.name}`)
        : [entry.name];
      for (const name of candidates) {
        if (await isFile(join(this.root, name, 'package.json'))) names.push(name);
      }
    }
    return names.sort();
  }

  /** A path inside the package's folder; the name was parsed, but the folder is checked anyway. */
  private inside(name: PackageName, file: string): string {
    const folder = resolve(this.root, parsePackageName(name));
    const path = resolve(folder, file);
    if (!folder.startsWith(this.root + sep) || !path.startsWith(folder + sep)) {
      fail('ImportFailed', `${printable(name)}: ${printable(file)} would be outside ${this.root}.`);
    }
    return path;
  }

  private async readJson(path: string): Promise<unknown> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch {
      fail('ImportFailed', `${path} does not exist or cannot be read.`);
    }
    try {
      return JSON.parse(text);
    } catch {
      fail('ImportFailed', `${path} is not JSON.`);
    }
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
