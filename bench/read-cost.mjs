// `node bench/read-cost.mjs [--cases a,b] [--packages N] [--duration S] [--rounds R]`: what one
// cached read costs Gatehouse against the bare node:http server answering the same bytes, as the
// server's own CPU time per response, with both servers loaded at the same time.
//
// Why not req/s: on a machine other processes keep busy, req/s of the same server moves by a
// factor of two or three from one round to the next, and `npm run bench` measures the registries
// one after the other, so a burst of load lands on one of them only. Here both servers are pinned
// to the same core and each gets its own wrk for the same seconds: whatever else runs on the
// machine weighs on both alike, and the ratio of their CPU time per response (the cost of one
// read, which is what decides req/s on an idle machine) repeats within a few per cent.
// Prints, per case, µs per response for each (median of the rounds) and the median of the
// per-round ratios G÷bare; 1.11× or less is what ≥ 0.9× bare req/s needs.

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { buildCorpus } from './corpus.mjs';
import { READ_CASES, cpuMs, pathsFor, runWrk, shuffled } from './load.mjs';
import { eachLimited, mirrorCorpus, versionPaths } from './mirror.mjs';
import { pinning, pinProcessTree } from './processes.mjs';
import { publishBody } from './publish-latency.mjs';
import { startBareNode } from './registries/bare-node.mjs';
import { startGatehouse } from './registries/gatehouse.mjs';
import { CORGI_ACCEPT, packumentPath } from './wire.mjs';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: READ_CASES.map((c) => c.id).join(',') },
    packages: { type: 'string', default: '50' },
    duration: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '7' },
    connections: { type: 'string', default: '32' },
  },
});
const cases = values.cases.split(',').map((id) => {
  const c = READ_CASES.find((r) => r.id === id);
  if (!c) throw new Error(`--cases: ids of ${READ_CASES.map((r) => r.id).join(', ')}`);
  return c;
});
const log = (line) => console.error(line);
const median = (list) => [...list].sort((a, b) => a - b)[Math.floor((list.length - 1) / 2)];
const workDir = await mkdtemp(join(os.tmpdir(), 'gatehouse-read-cost-'));

const servers = {};
try {
  servers.gatehouse = await startGatehouse({ repo: REPO, workDir, log });
  const url = servers.gatehouse.url;
  const corpus = buildCorpus({ packages: Number(values.packages), versions: 1, rootDeps: 1 });
  const names = corpus.packages.map((p) => p.name);
  log(`publishing ${names.length} packages…`);
  await eachLimited(corpus.packages, 4, async (pkg) => {
    const res = await fetch(url + packumentPath(pkg.name), {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${servers.gatehouse.token}` },
      body: JSON.stringify(publishBody(url, pkg, '1.0.0')),
    });
    if (!res.ok) throw new Error(`publish ${pkg.name}: ${res.status} ${await res.text()}`);
  });
  // The event follower drops the cache entries of packages it sees published (within a poll).
  await new Promise((done) => setTimeout(done, 2_500));
  for (const accept of ['application/json', CORGI_ACCEPT])
    await eachLimited(names, 8, async (n) => (await fetch(url + packumentPath(n), { headers: { accept } })).arrayBuffer());
  const root = join(workDir, 'static');
  const mirrored = await mirrorCorpus(url, names, root, versionPaths(corpus));
  servers.bare = await startBareNode({ root });
  // The bare server ignores the token, but parses the same request bytes.
  servers.bare.token = servers.gatehouse.token;
  const pin = pinning();
  if (pin) for (const s of Object.values(servers)) await pinProcessTree(s.pid, pin.server, pin.taskset);
  const targets = { names, tarballs: mirrored.tarballs, versions: versionPaths(corpus) };

  const rows = [];
  for (const c of cases) {
    const jobs = {};
    for (const [name, server] of Object.entries(servers)) {
      const headers = { accept: c.accept, ...(c.token ? { authorization: `Bearer ${server.token}` } : {}) };
      const paths = shuffled(await pathsFor(c.kind, targets, server.url, c.accept));
      // Every URL twice first, so only cached reads are measured.
      for (let i = 0; i < 2; i++) {
        await eachLimited(paths, 8, async (line) => {
          const [path, etag] = line.split('\t');
          const res = await fetch(server.url + path, { headers: etag ? { ...headers, 'if-none-match': etag } : headers });
          await res.arrayBuffer();
          if (res.status !== (c.status ?? 200)) throw new Error(`${name} ${path}: ${res.status}, expected ${c.status ?? 200}`);
        });
      }
      jobs[name] = {
        url: server.url,
        connections: Number(values.connections),
        paths,
        headers,
        expectStatus: c.status ?? 200,
        pin,
      };
    }
    const both = (duration) =>
      Promise.all(
        Object.entries(jobs).map(async ([name, job]) => {
          const before = cpuMs(servers[name].pid);
          const run = await runWrk({ ...job, duration });
          return {
            rps: run.rps,
            us: ((cpuMs(servers[name].pid) - before) * 1000) / run.responses,
            wrong: run.responses - run.expected,
          };
        }),
      );
    await both(1);
    const rounds = [];
    for (let round = 0; round < Number(values.rounds); round++) {
      const [g, b] = await both(Number(values.duration));
      if (g.wrong || b.wrong) throw new Error(`${c.id}: unexpected statuses (Gatehouse ${g.wrong}, bare ${b.wrong})`);
      rounds.push({ g: g.us, b: b.us, ratio: g.us / b.us });
      log(`  ${c.id.padEnd(18)} Gatehouse ${g.us.toFixed(1)} µs  bare ${b.us.toFixed(1)} µs  ${(g.us / b.us).toFixed(2)}×`);
    }
    rows.push({
      id: c.id,
      g: median(rounds.map((r) => r.g)),
      b: median(rounds.map((r) => r.b)),
      ratio: median(rounds.map((r) => r.ratio)),
    });
  }
  console.log(`CPU µs per response, both servers loaded at once on one core; median of ${values.rounds} rounds`);
  console.log(`${'case'.padEnd(20)} ${'Gatehouse'.padStart(9)} ${'bare'.padStart(6)}  G÷bare`);
  for (const r of rows)
    console.log(`${r.id.padEnd(20)} ${r.g.toFixed(1).padStart(9)} ${r.b.toFixed(1).padStart(6)}  ${r.ratio.toFixed(2)}×`);
} finally {
  for (const s of Object.values(servers)) await s.stop();
  await rm(workDir, { recursive: true, force: true });
}
