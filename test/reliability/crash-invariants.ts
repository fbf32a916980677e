// The crash tests' one invariant, checked against a restarted server: every version a client tried
// to publish is either whole (listed, and its tarball hashes to its integrity) or absent (and then
// publishable again). A version whose publish was acknowledged with a 2xx must be whole.
import { expect } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { download, getPackument, putPublish, sha512Integrity, type PublishAttempt } from './publish-client.js';

export interface Tracked {
  attempt: PublishAttempt;
  /** The HTTP status the client saw, or 'no answer' when the server died first. */
  outcome: number | 'no answer';
}

export interface Verdict {
  whole: number;
  absent: number;
}

async function expectWhole(url: string, a: PublishAttempt, entry: { dist: { integrity: string; tarball: string } }, why: string) {
  expect(entry.dist.integrity, why).toBe(a.integrity);
  const tarball = await download(entry.dist.tarball);
  expect(tarball.status, why).toBe(200);
  expect(sha512Integrity(tarball.bytes), why).toBe(a.integrity);
  expect(entry.dist.tarball.startsWith(url), why).toBe(true);
}

/**
 * Checks each attempt against the server at `url`, all at once as clients would; re-publishes the
 * absent ones, then (once every write has been answered) checks those too.
 */
export async function expectWholeOrAbsent(url: string, token: string, tracked: Tracked[], label: string): Promise<Verdict> {
  const fates = await Promise.all(tracked.map((t) => wholeOrRepublished(url, token, t, label)));
  const republished = tracked.filter((_, i) => fates[i] === 'absent');
  await Promise.all(
    republished.map(async ({ attempt: a }) => {
      const entry = (await getPackument(url, a.name))?.versions[a.version];
      const why = `${label}: ${a.name}@${a.version} re-published`;
      expect(entry, `${why}, but not listed`).toBeDefined();
      await expectWhole(url, a, entry!, why);
    }),
  );
  return { whole: fates.filter((f) => f === 'whole').length, absent: republished.length };
}

async function wholeOrRepublished(url: string, token: string, { attempt: a, outcome }: Tracked, label: string) {
  const why = `${label}: ${a.name}@${a.version} (answered ${outcome})`;
  expect(outcome === 'no answer' || outcome === 201, `${why}: a valid publish got neither 201 nor a dropped connection`).toBe(
    true,
  );
  const doc = await getPackument(url, a.name);
  if (doc) expect(Object.keys(doc.versions).length, `${why}: package exists without versions`).toBeGreaterThan(0);
  const entry = doc?.versions[a.version];
  if (entry) {
    await expectWhole(url, a, entry, why);
    return 'whole';
  }
  expect(outcome, `${why}: acknowledged, then lost in the crash`).not.toBe(201);
  const again = await putPublish(url, token, a);
  expect(again.status, `${why}: absent after the crash but cannot be published again: ${JSON.stringify(again.body)}`).toBe(201);
  return 'absent';
}

/** Every listed version is one we sent, intact, and every dist-tag points at a listed version. */
export async function expectPackumentSound(url: string, name: string, sent: Map<string, PublishAttempt>): Promise<void> {
  const doc = await getPackument(url, name);
  if (!doc) return;
  await Promise.all(
    Object.entries(doc.versions).map(async ([version, entry]) => {
      const a = sent.get(`${name}@${version}`);
      expect(a, `${name}@${version} is listed but was never sent`).toBeDefined();
      await expectWhole(url, a!, entry, `${name}@${version}`);
    }),
  );
  for (const [tag, version] of Object.entries(doc['dist-tags'])) {
    expect(doc.versions[version], `${name} dist-tag ${tag} points at missing ${version}`).toBeDefined();
  }
}

export interface BlobCensus {
  blobs: string[];
  temporary: string[];
}

/**
 * Walks <dataDir>/blobs: every file at a final name (<aa>/<bb>/<128 hex>) must hold exactly the
 * bytes that hash to it; leftovers of interrupted writes may only be `*.tmp` files beside them.
 */
export function censusOfBlobs(root: string): BlobCensus {
  const census: BlobCensus = { blobs: [], temporary: [] };
  for (const aa of readdirSync(root)) {
    for (const bb of readdirSync(join(root, aa))) {
      for (const file of readdirSync(join(root, aa, bb))) {
        const path = join(root, aa, bb, file);
        if (file.endsWith('.tmp')) {
          census.temporary.push(path);
          continue;
        }
        expect(file, `unexpected file in the blob store: ${path}`).toMatch(/^[0-9a-f]{128}$/);
        expect(file.slice(0, 2) + file.slice(2, 4), `blob filed in the wrong folder: ${path}`).toBe(aa + bb);
        const actual = createHash('sha512').update(readFileSync(path)).digest('hex');
        expect(actual, `torn or wrong blob at its final name: ${path}`).toBe(file);
        census.blobs.push(file);
      }
    }
  }
  return census;
}
