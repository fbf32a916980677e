// `node bench/profile-reads.mjs [--case full|abbreviated|tarball|missing|full-token|tarball-token]
// [--packages N] [--duration S]`: where a cached read's CPU time goes. Starts `gatehouse serve`
// from dist/ under `node --cpu-prof`, publishes N packages over HTTP, loads one read case with wrk
// (127.0.0.1 only), stops the server and prints self-time by function during the load, from the
// profile it wrote.

import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { buildCorpus } from './corpus.mjs';
import { selfTimes } from './cpu-profile.mjs';
import { READ_CASES, runWrk, shuffled } from './load.mjs';
import { eachLimited, tarballPaths } from './mirror.mjs';
import { publishBody } from './publish-latency.mjs';
import { startGatehouse } from './registries/gatehouse.mjs';
import { packumentPath } from './wire.mjs';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    case: { type: 'string', default: 'full' },
    packages: { type: 'string', default: '100' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    top: { type: 'string', default: '30' },
  },
});
const c = READ_CASES.find((r) => r.id === values.case);
if (!c) throw new Error(`--case: one of ${READ_CASES.map((r) => r.id).join(', ')}`);

const workDir = await mkdtemp(join(os.tmpdir(), 'gatehouse-profile-'));
const profDir = join(workDir, 'prof');
const log = (line) => console.error(line);
const window = { from: -Infinity, to: Infinity };
const server = await startGatehouse({ repo: REPO, workDir, log, nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profDir}`] });
try {
  const corpus = buildCorpus({ packages: Number(values.packages), versions: 1, rootDeps: 1 });
  const names = corpus.packages.map((p) => p.name);
  log(`publishing ${names.length} packages…`);
  await eachLimited(corpus.packages, 4, async (pkg) => {
    const res = await fetch(server.url + packumentPath(pkg.name), {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${server.token}` },
      body: JSON.stringify(publishBody(server.url, pkg, '1.0.0')),
    });
    if (!res.ok) throw new Error(`publish ${pkg.name}: ${res.status} ${await res.text()}`);
  });
  // The event follower drops the cache entries of packages it sees published (within a poll);
  // wait that out, then read every packument, as npm install would before the tarballs.
  await new Promise((done) => setTimeout(done, 2_500));
  const accepts = ['application/json', 'application/vnd.npm.install-v1+json'];
  for (const accept of accepts)
    await eachLimited(names, 8, async (n) => (await fetch(server.url + packumentPath(n), { headers: { accept } })).arrayBuffer());
  const paths =
    c.kind === 'packument'
      ? names.map(packumentPath)
      : c.kind === 'tarball'
        ? await tarballPaths(server.url, names)
        : names.map((_, i) => `/bench-missing-${i}`);
  const headers = { accept: c.accept, ...(c.token ? { authorization: `Bearer ${server.token}` } : {}) };
  // Every URL twice, so the profile sees only cached reads.
  for (let i = 0; i < 2; i++) await eachLimited(paths, 8, async (p) => (await fetch(server.url + p, { headers })).arrayBuffer());
  window.from = Number(process.hrtime.bigint() / 1000n);
  const result = await runWrk({
    url: server.url,
    connections: Number(values.connections),
    duration: Number(values.duration),
    paths: shuffled(paths),
    headers,
    expectStatus: c.status ?? 200,
  });
  window.to = Number(process.hrtime.bigint() / 1000n);
  log(
    `${c.label}: ${result.rps.toFixed(0)} req/s, p99 ${result.p99.toFixed(2)} ms (${result.expected}/${result.responses} as expected)`,
  );
} finally {
  await server.stop();
}
const file = (await readdir(profDir)).find((f) => f.endsWith('.cpuprofile'));
const rows = selfTimes(JSON.parse(await readFile(join(profDir, file), 'utf8')), window.from, window.to);
for (const row of rows.slice(0, Number(values.top))) console.log(`${(row.share * 100).toFixed(1).padStart(5)} %  ${row.name}`);
await rm(workDir, { recursive: true, force: true });
