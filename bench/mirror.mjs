// Reads the seeded corpus back from a registry: the tarball URLs its packuments point at, and a
// byte-for-byte copy of every packument (full and abbreviated) and tarball laid out for nginx.

import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CORGI_ACCEPT, packumentPath } from './wire.mjs';

export async function get(url, accept) {
  return (await getAnswer(url, accept)).body;
}

// Headers that belong to one exchange, not to the answer: the bare server sets its own.
const PER_EXCHANGE = new Set(['date', 'x-request-id', 'connection', 'keep-alive', 'transfer-encoding']);

/** The body and the answer's own headers (flat [name, value, …], as writeHead takes them). */
async function getAnswer(url, accept, status = 200, extra = {}) {
  const res = await fetch(url, { headers: { accept, ...extra } });
  if (res.status !== status) throw new Error(`GET ${url} answered ${res.status}`);
  const headers = [...res.headers].filter(([name]) => !PER_EXCHANGE.has(name)).flat();
  return { body: Buffer.from(await res.arrayBuffer()), headers };
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

/** One version document per package: its newest version, by exact version (`/<name>/<version>`). */
export function versionPaths(corpus) {
  return corpus.packages.map((p) => `${packumentPath(p.name)}/${p.versions.at(-1)}`).sort();
}

/** Where the bare Node server finds every answer's headers and file (see registries/bare-node.mjs). */
export const BARE_INDEX = 'bare-index.json';

/**
 * Copies the corpus from `baseUrl` under `root`: `<name>/full.json`, `<name>/abbreviated.corgi`,
 * each version document in `versions` and each tarball at its URL path. nginx picks the packument file by Accept (see nginx.mjs); the bare
 * Node server reads BARE_INDEX, which also keeps each answer's headers as `baseUrl` sent them.
 */
export async function mirrorCorpus(baseUrl, names, root, versions = []) {
  let bytes = 0;
  const index = { packuments: {}, tarballs: {}, versions: {}, missing: null };
  const save = async (path, answer) => {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), answer.body);
    bytes += answer.body.length;
    return { file: path, headers: answer.headers };
  };
  const tarballs = [];
  await eachLimited(names, 8, async (name) => {
    const full = await getAnswer(baseUrl + packumentPath(name), 'application/json');
    // A packument also keeps its ETag and the headers of its 304, for the bare server's revalidations.
    const document = async (file, answer, accept) => {
      const etag = answer.headers[answer.headers.indexOf('etag') + 1];
      const revalidated = await getAnswer(baseUrl + packumentPath(name), accept, 304, { 'if-none-match': etag });
      return { ...(await save(join(name, file), answer)), etag, notModified: revalidated.headers };
    };
    index.packuments[packumentPath(name)] = {
      full: await document('full.json', full, 'application/json'),
      abbreviated: await document(
        'abbreviated.corgi',
        await getAnswer(baseUrl + packumentPath(name), CORGI_ACCEPT),
        CORGI_ACCEPT,
      ),
    };
    for (const url of tarballUrls(JSON.parse(full.body))) {
      // Tarball paths arrive unescaped (`/@scope/name/-/name-1.0.0.tgz`); decode to be safe.
      const path = decodeURIComponent(url.pathname);
      index.tarballs[url.pathname] = await save(path, await getAnswer(baseUrl + url.pathname, '*/*'));
      tarballs.push(url.pathname);
    }
  });
  // A version document sits at its URL path too (`<name>/<version>`, beside the packument files).
  await eachLimited(versions, 8, async (path) => {
    index.versions[path] = await save(decodeURIComponent(path), await getAnswer(baseUrl + path, 'application/json'));
  });
  // One 404 stands for every missing name: the bare server answers any unknown URL with it.
  index.missing = await save('missing.json', await getAnswer(`${baseUrl}/bench-missing-0`, 'application/json', 404));
  await writeFile(join(root, BARE_INDEX), JSON.stringify(index));
  return { tarballs: tarballs.sort(), bytes };
}
