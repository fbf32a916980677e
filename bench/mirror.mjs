// Reads the seeded corpus back from a registry: the tarball URLs its packuments point at, and a
// byte-for-byte copy of every packument (full and abbreviated) and tarball laid out for nginx.

import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CORGI_ACCEPT, packumentPath } from './wire.mjs';

export async function get(url, accept) {
  const res = await fetch(url, { headers: { accept } });
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

/** Runs `task` over `items` with at most `width` in flight. */
export async function eachLimited(items, width, task) {
  let next = 0;
  const lanes = Array.from({ length: width }, async () => {
    while (next < items.length) await task(items[next++]);
  });
  await Promise.all(lanes);
}

export function tarballUrls(packument) {
  return Object.values(packument.versions ?? {}).map((v) => new URL(v.dist.tarball));
}

/** The path of every tarball, as the registry's own packuments give it. */
export async function tarballPaths(baseUrl, names) {
  const paths = [];
  await eachLimited(names, 8, async (name) => {
    const doc = JSON.parse(await get(baseUrl + packumentPath(name), 'application/json'));
    for (const url of tarballUrls(doc)) paths.push(url.pathname);
  });
  return paths.sort();
}

/**
 * Copies the corpus from `baseUrl` under `root`: `<name>/full.json`, `<name>/abbreviated.corgi` and
 * each tarball at its URL path. nginx picks the packument file by Accept (see nginx.mjs).
 */
export async function mirrorCorpus(baseUrl, names, root) {
  let bytes = 0;
  const save = async (path, body) => {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, body);
    bytes += body.length;
  };
  const tarballs = [];
  await eachLimited(names, 8, async (name) => {
    const full = await get(baseUrl + packumentPath(name), 'application/json');
    await save(join(root, name, 'full.json'), full);
    await save(join(root, name, 'abbreviated.corgi'), await get(baseUrl + packumentPath(name), CORGI_ACCEPT));
    for (const url of tarballUrls(JSON.parse(full))) {
      // Tarball paths arrive unescaped (`/@scope/name/-/name-1.0.0.tgz`); decode to be safe.
      const path = decodeURIComponent(url.pathname);
      await save(join(root, path), await get(baseUrl + url.pathname, '*/*'));
      tarballs.push(url.pathname);
    }
  });
  return { tarballs: tarballs.sort(), bytes };
}
