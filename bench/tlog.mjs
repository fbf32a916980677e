// Transparency log benchmark (dist/; run `npm run build` first). Prints what it measured:
//
// 1. appends/s through the real path: N events are committed first (not timed), then the log's
//    append (TransparencyLog.sync: read events, leaf entries, subtree hashes, signed checkpoint,
//    one transaction per 2,000 events) is timed until all N are leaves. SQLite always; PostgreSQL
//    too with --postgres (a throw-away database is created on that server).
//    Then live: 4 writers commit one event per transaction while the log appends (woken by each
//    commit, as after a publish), timed until every event is a leaf.
// 2. inclusion proofs at --proof-leaves (default 10,000,000) leaves: a tree of that size is written
//    straight into the log's tables of a SQLite database (leaf hashes of synthetic entries and
//    every complete subtree's hash, computed properly; loading is not timed), then proofs for
//    random leaves are asked of the real TransparencyLog over its Kysely store: first in a freshly
//    opened registry (nothing in memory at the start; the upper levels of the tree are kept in
//    memory as they are read, as in a running server), then for leaves already asked; a sample is
//    verified against the root. Wall-clock percentiles and CPU time per proof are printed.
//
// node bench/tlog.mjs [--events 20000] [--rounds 3] [--proof-leaves 10000000] [--proofs 2000] [--postgres URL] [--keep]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createHash, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (path) => import(pathToFileURL(join(REPO, 'dist', path)).href);
const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '20000' },
    'proof-leaves': { type: 'string', default: '10000000' },
    proofs: { type: 'string', default: '2000' },
    postgres: { type: 'string' },
    keep: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '3' },
  },
});

const { loadConfig } = await dist('config.js');
const { openRegistry } = await dist('registry.js');

async function open(dataDir, databaseUrl = '') {
  const config = loadConfig({
    env: {},
    overrides: { dataDir, databaseUrl, eventPollMs: 0, logLevel: 'silent', tlogIntervalMs: 0 },
  });
  // A test clock (no job timers): the benchmark drives sync() itself.
  const clock = { now: () => Date.now() };
  return openRegistry(config, { clock });
}

async function appendRate(label, databaseUrl) {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-tlog-'));
  const registry = await open(dataDir, databaseUrl);
  const n = Number(values.events);
  const createdAt = new Date().toISOString();
  for (let done = 0; done < n; done += 1000) {
    await registry.store.transaction(async (tx) => {
      for (let i = done; i < Math.min(n, done + 1000); i++) {
        await tx.events.append({
          type: 'package.published',
          actor: { kind: 'system' },
          packageName: `bench-pkg-${i % 5000}`,
          version: `1.0.${i}`,
          data: { tag: 'latest', integrity: `sha512-${randomBytes(64).toString('base64')}`, size: 1000 + i },
          createdAt,
        });
      }
    });
  }
  const started = performance.now();
  await registry.transparency.sync();
  const ms = performance.now() - started;
  const size = await registry.transparency.size();
  if (size !== n) throw new Error(`expected ${n} leaves, the log has ${size}`);
  await registry.close();
  if (!values.keep) rmSync(dataDir, { recursive: true, force: true });
  const perSecond = Math.round((n / ms) * 1000);
  console.log(`appends (${label}): ${n} events in ${ms.toFixed(0)} ms = ${perSecond} appends/s`);
  return perSecond;
}

/**
 * Live: writers commit one event per transaction (each wakes the log, as a publish does) while the
 * log appends; timed from the first commit until the last event is a leaf.
 */
async function liveRate(label, databaseUrl) {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-tlog-live-'));
  const registry = await open(dataDir, databaseUrl);
  const n = Number(values.events);
  const started = performance.now();
  const writers = 4;
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let i = w; i < n; i += writers) {
        await registry.store.transaction((tx) =>
          tx.events.append({
            type: 'dist_tag.set',
            actor: { kind: 'system' },
            packageName: `bench-live-${i % 500}`,
            version: `1.0.${i}`,
            data: { tag: `t${i}` },
            createdAt: new Date().toISOString(),
          }),
        );
      }
    }),
  );
  const written = performance.now() - started;
  while ((await registry.transparency.size()) < n) await registry.transparency.sync();
  const ms = performance.now() - started;
  await registry.close();
  if (!values.keep) rmSync(dataDir, { recursive: true, force: true });
  console.log(
    `live (${label}): ${n} one-event commits by ${writers} writers took ${written.toFixed(0)} ms; all were leaves after ` +
      `${ms.toFixed(0)} ms = ${Math.round((n / ms) * 1000)} appends/s (bounded by the writers)`,
  );
}

async function withPostgres(url, work) {
  const pg = (await import('pg')).default;
  const name = `gatehouse_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  try {
    const target = new URL(url);
    target.pathname = `/${name}`;
    return await work(target.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

const sha = (...parts) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
const ZERO = Buffer.from([0]);
const ONE = Buffer.from([1]);

/** Writes a tree of `leaves` leaves into the log's tables directly, the way the appender would leave them. */
async function loadTree(dataDir, leaves) {
  const Database = (await import('better-sqlite3')).default;
  const db = new Database(join(dataDir, 'gatehouse.sqlite'));
  db.pragma('synchronous = OFF');
  const insert = db.prepare('insert into tlog_hashes (level, idx, hash) values (?, ?, ?)');
  // The right edge: per level, the left child waiting for its sibling.
  const pending = [];
  const started = performance.now();
  const batch = db.transaction((from, to) => {
    for (let i = from; i < to; i++) {
      let hash = sha(ZERO, Buffer.from(`{"seq":${i + 1},"type":"package.published"}`));
      insert.run(0, i, hash.toString('hex'));
      let level = 0;
      let index = i;
      while (index % 2 === 1) {
        hash = sha(ONE, pending[level], hash);
        pending[level] = undefined;
        level += 1;
        index = (index - 1) / 2;
        insert.run(level, index, hash.toString('hex'));
      }
      pending[level] = hash;
    }
  });
  for (let from = 0; from < leaves; from += 100_000) {
    batch(from, Math.min(leaves, from + 100_000));
    if (from % 1_000_000 === 0)
      process.stderr.write(`  loaded ${from} leaves (${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
  }
  db.prepare('update tlog_state set size = ?, event_seq = ? where id = 1').run(leaves, leaves);
  db.close();
}

async function proofTimes() {
  const leaves = Number(values['proof-leaves']);
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-tlog-proofs-'));
  let registry = await open(dataDir);
  await registry.close();
  const loadStart = performance.now();
  await loadTree(dataDir, leaves);
  const loadMs = performance.now() - loadStart;
  registry = await open(dataDir);
  const { treeRoot, verifyInclusion, leafHash } = await dist('domain/transparency/merkle.js');
  const { checkpointBody, signNote } = await dist('domain/transparency/note.js');
  const { nodeKey } = await dist('domain/transparency/store.js');
  // The checkpoint for the loaded tree, signed by the log's own key, as the appender would have stored it.
  const { nodesNeeded } = await dist('domain/transparency/merkle.js');
  const needed = nodesNeeded((read) => treeRoot(read, leaves));
  const stored = await registry.store.transparency.nodes(needed);
  const root = treeRoot((l, i) => stored.get(nodeKey(l, i)), leaves);
  const key = await registry.store.transparency.key();
  await registry.store.transparency.saveCheckpoint({
    size: leaves,
    note: signNote(checkpointBody({ origin: key.name, size: leaves, root }), key),
    createdAt: new Date().toISOString(),
  });
  await registry.close();

  // Cold: a freshly opened registry, so no stored hash is in memory yet.
  registry = await open(dataDir);
  const log = registry.transparency;
  const count = Number(values.proofs);
  const pick = () => Math.floor(Math.random() * leaves);
  const times = { cold: [], warm: [] };
  const cpu = {};
  let cpuStart = process.cpuUsage();
  for (let k = 0; k < count; k++) {
    const leaf = pick();
    const t = performance.now();
    const answer = await log.inclusion(leaf, leaves);
    times.cold.push(performance.now() - t);
    if (k < 50) {
      const hash = leafHash(Buffer.from(`{"seq":${leaf + 1},"type":"package.published"}`));
      if (!verifyInclusion(leaf, leaves, hash, answer.proof, root)) throw new Error(`the proof of leaf ${leaf} does not verify`);
    }
  }
  cpu.cold = process.cpuUsage(cpuStart);
  const repeat = Array.from({ length: 200 }, pick);
  for (const leaf of repeat) await log.inclusion(leaf, leaves);
  cpuStart = process.cpuUsage();
  for (let k = 0; k < count; k++) {
    const leaf = repeat[k % repeat.length];
    const t = performance.now();
    await log.inclusion(leaf, leaves);
    times.warm.push(performance.now() - t);
  }
  cpu.warm = process.cpuUsage(cpuStart);
  await registry.close();
  if (!values.keep) rmSync(dataDir, { recursive: true, force: true });
  // Wall-clock percentiles include waiting for a core on a shared machine; CPU time per proof does not.
  const perProof = (u) => `${((u.user + u.system) / 1000 / count).toFixed(3)} ms CPU per proof`;
  const stats = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    const at = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))].toFixed(3);
    return `p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${s[s.length - 1].toFixed(3)} ms`;
  };
  console.log(`tree of ${leaves} leaves loaded in ${(loadMs / 1000).toFixed(0)} s (not timed below)`);
  console.log(
    `inclusion proof, ${leaves} leaves, random leaf, fresh process (${count}): ${stats(times.cold)}; ${perProof(cpu.cold)}`,
  );
  console.log(`inclusion proof, ${leaves} leaves, leaves asked before (${count}): ${stats(times.warm)}; ${perProof(cpu.warm)}`);
}

/** Rounds of the batch append; the median is printed too (a shared machine's disk varies a lot). */
async function appendRounds(label, databaseUrl) {
  const rates = [];
  for (let i = 0; i < Number(values.rounds); i++) rates.push(await appendRate(label, databaseUrl));
  rates.sort((a, b) => a - b);
  console.log(`appends (${label}): median of ${rates.length} rounds ${rates[Math.floor(rates.length / 2)]} appends/s`);
}

await appendRounds('SQLite', '');
await liveRate('SQLite', '');
if (values.postgres) await withPostgres(values.postgres, (url) => appendRounds('PostgreSQL', url));
if (values.postgres) await withPostgres(values.postgres, (url) => liveRate('PostgreSQL', url));
if (Number(values['proof-leaves']) > 0) await proofTimes();
