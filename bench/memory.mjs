// `npm run bench:memory`: checks "Memory: under 200 MB RSS with 100 000 versions stored"
// (shared/DESIGN.md, "Targets"). Writes P × V versions straight into a fresh SQLite data folder with
// dist/'s storage (the rows a publish writes, without HTTP), serves it with the real server, and reads
// the server's RSS from /proc after each phase of use. Binds 127.0.0.1 only; never builds or edits src/.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { buildCorpus, packageFiles, seededRandom } from './corpus.mjs';
import { runWorker, shuffled } from './load.mjs';
import { eachLimited, get, tarballUrls } from './mirror.mjs';
import { UsageError } from './options.mjs';
import { measurePublish } from './publish-latency.mjs';
import { startGatehouse } from './registries/gatehouse.mjs';
import { saveResults } from './report.mjs';
import { digests, packTarball } from './tarball.mjs';
import { CORGI_ACCEPT, packumentPath } from './wire.mjs';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const TARGET_MB = 200;
const TARGET_VERSIONS = 100_000;
// Versions written per transaction while seeding; their tarballs are stored first, as publish does.
const BATCH = 500;
// Seeded history: three years of publishes, oldest first, ending on a fixed day (reproducible rows).
const HISTORY_END = Date.UTC(2026, 0, 1);
const HISTORY_MS = 3 * 365 * 24 * 3600 * 1000;
const OWNER = { name: 'seeder', email: 'seeder@example.com', password: 'seeder-password-not-secret', isAdmin: false };
const WORDS = ['fast', 'tiny', 'stream', 'parser', 'async', 'cli', 'http', 'json', 'utility', 'promise', 'config'];
WORDS.push('logger', 'cache', 'color', 'path', 'schema', 'date', 'buffer', 'events', 'glob', 'semver', 'types');
const LICENSES = ['MIT', 'MIT', 'MIT', 'ISC', 'Apache-2.0', 'BSD-3-Clause'];

const log = (line) => console.error(line);
const mb = (bytes) => bytes / 2 ** 20;

const FLAGS = {
  packages: { type: 'string', default: '10000', help: 'packages seeded' },
  versions: { type: 'string', default: '10', help: 'versions of each (10 000 × 10 = the target)' },
  duration: { type: 'string', default: '0', help: 'seconds of mixed reads; 0 = one walk over every URL' },
  connections: { type: 'string', default: '32', help: 'connections of the mixed reads' },
  publishes: { type: 'string', default: '200', help: 'versions published one by one over HTTP' },
  keep: { type: 'boolean', default: false, help: 'keep the temp folder (data, server log)' },
  seeded: { type: 'string', default: '', help: 'reuse a seed kept here (made on the first run), for repeated runs' },
  help: { type: 'boolean', default: false, help: 'show this help' },
};

function parseOptions(argv) {
  const usage = Object.entries(FLAGS).map(
    ([name, f]) => `  --${(name + (f.type === 'string' ? ` <${f.default}>` : '')).padEnd(22)} ${f.help}`,
  );
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: FLAGS, strict: true }));
  } catch (err) {
    throw new UsageError(`${err.message}\nusage: npm run bench:memory -- [flags]\n${usage.join('\n')}`);
  }
  if (values.help) {
    console.log(`usage: npm run bench:memory -- [flags]\n${usage.join('\n')}`);
    process.exit(0);
  }
  const options = { keep: values.keep, seeded: values.seeded };
  for (const name of ['packages', 'versions', 'duration', 'connections', 'publishes']) {
    options[name] = Number(values[name]);
    const least = name === 'duration' ? 0 : 1;
    if (!Number.isInteger(options[name]) || options[name] < least)
      throw new UsageError(`--${name} must be an integer ≥ ${least}`);
  }
  return options;
}

/** A package.json as people write them, and a README of 1–3 kB; code and dependencies from the corpus. */
function realisticFiles(pkg, version, index) {
  const files = packageFiles(pkg, version);
  const random = seededRandom(pkg.seed ^ (index * 0x9e3779b1));
  const pick = (list) => list[Math.floor(random() * list.length)];
  const { name, description, dependencies } = JSON.parse(files['package.json']);
  const repo = `https://github.com/bench-fixtures/${name.replace(/^@bench\//, '')}`;
  const manifest = {
    name,
    version,
    description,
    keywords: [...new Set(Array.from({ length: 2 + Math.floor(random() * 5) }, () => pick(WORDS)))],
    homepage: `${repo}#readme`,
    bugs: { url: `${repo}/issues` },
    repository: { type: 'git', url: `git+${repo}.git` },
    license: LICENSES[pkg.seed % LICENSES.length],
    author: 'Bench Fixtures <fixtures@example.com>',
    main: 'index.js',
    files: ['index.js'],
    // One package in 50 runs a postinstall script, so some versions carry hasInstallScript.
    scripts: { test: 'node --test', lint: 'eslint .', ...(pkg.seed % 50 === 0 && { postinstall: 'node index.js' }) },
    engines: { node: '>=18' },
    dependencies,
  };
  const sentence = () => Array.from({ length: 6 + Math.floor(random() * 9) }, () => pick(WORDS)).join(' ') + '.';
  let readme = `# ${name}\n\n${description}\n\n## Install\n\n\`\`\`sh\nnpm install ${name}\n\`\`\`\n\n## Usage\n\n`;
  readme += `\`\`\`js\nconst lib = require('${name}');\nlib.f(${index});\n\`\`\`\n\n## API\n\n`;
  const length = 1000 + Math.floor(random() * 2000);
  while (readme.length < length) readme += Array.from({ length: 4 }, sentence).join(' ') + '\n\n';
  readme += `## License\n\n${manifest.license}\n`;
  return { ...files, 'package.json': JSON.stringify(manifest, null, 2) + '\n', 'README.md': readme };
}

/** What publish.ts writes for one version: the record (blob still to store), its tarball and its edges. */
function versionRow(pkg, version, index, publishedAt, publisherId) {
  const files = realisticFiles(pkg, version, index);
  const tgz = packTarball(files);
  // The version object npm sends, minus the fields parsePublishDocument drops (dist, _id, readme).
  const manifest = {
    ...JSON.parse(files['package.json']),
    readmeFilename: 'README.md',
    _nodeVersion: process.versions.node,
    _npmVersion: '11.19.1',
  };
  if (manifest.scripts.postinstall) manifest.hasInstallScript = true;
  const record = {
    packageName: pkg.name,
    version,
    manifest,
    ...digests(tgz),
    blob: null,
    size: tgz.length,
    fileCount: Object.keys(files).length,
    unpackedSize: Object.values(files).reduce((sum, text) => sum + Buffer.byteLength(text), 0),
    publishedAt,
    publisher: { kind: 'user', userId: publisherId },
    state: 'published',
    deprecated: null,
    readme: files['README.md'],
    unpublishedAt: null,
  };
  return { record, tgz, edges: { ...pkg.dependencies } };
}

/** The rows of one publish (publish.ts), in the same order: package, version, dist-tag, touch, event. */
async function writePublish(tx, { record, edges }, first) {
  const name = record.packageName;
  if (first && (await tx.packages.create({ name, createdAt: record.publishedAt }))) {
    await tx.packages.addOwner(name, record.publisher.userId);
  }
  if (!(await tx.packages.insertVersion(record, edges))) throw new Error(`${name}@${record.version} exists already`);
  await tx.packages.setDistTag(name, 'latest', record.version);
  const { description, keywords } = record.manifest;
  await tx.packages.touch(name, {
    modifiedAt: record.publishedAt,
    unpublishedAt: null,
    description,
    keywords: keywords.join(' '),
  });
  await tx.events.append({
    type: 'package.published',
    actor: record.publisher,
    packageName: name,
    version: record.version,
    data: { tag: 'latest', integrity: record.integrity, size: record.size },
    createdAt: record.publishedAt,
  });
}

/** Seeds `dataDir` release by release (every package's 1.0.0, then 1.1.0, …), BATCH versions per transaction. */
async function seedStore(corpus, dataDir) {
  const { loadConfig } = await import(pathToFileURL(join(REPO, 'dist/config.js')));
  const { openRegistry } = await import(pathToFileURL(join(REPO, 'dist/registry.js')));
  // env: {} so that GATEHOUSE_* variables of this shell cannot point the seeding elsewhere.
  const registry = await openRegistry(loadConfig({ env: {}, overrides: { dataDir, logLevel: 'warn' } }));
  const started = performance.now();
  const spent = { build: 0, blobs: 0, db: 0 };
  const timed = async (what, fn) => {
    const t = performance.now();
    await fn();
    spent[what] += performance.now() - t;
  };
  let tarballBytes = 0;
  try {
    const owner = await registry.accounts.createUser(OWNER);
    const { packages } = corpus;
    const total = packages.length * packages[0].versions.length;
    for (const [k, version] of packages[0].versions.entries()) {
      for (let from = 0; from < packages.length; from += BATCH) {
        let rows;
        await timed('build', async () => {
          rows = packages.slice(from, from + BATCH).map((pkg, j) => {
            const n = k * packages.length + from + j;
            const at = new Date(HISTORY_END - HISTORY_MS + Math.floor((n * HISTORY_MS) / total)).toISOString();
            return versionRow(pkg, version, n, at, owner.id);
          });
        });
        await timed('blobs', () => eachLimited(rows, 16, async (row) => (row.record.blob = await registry.blobs.put(row.tgz))));
        await timed('db', () =>
          registry.store.transaction(async (tx) => {
            for (const row of rows) await writePublish(tx, row, k === 0);
          }),
        );
        tarballBytes += rows.reduce((sum, row) => sum + row.tgz.length, 0);
      }
      log(`  ${version}: ${packages.length} versions, ${((performance.now() - started) / 1000).toFixed(0)} s so far`);
    }
    const seconds = (performance.now() - started) / 1000;
    const split = Object.fromEntries(Object.entries(spent).map(([what, ms]) => [`${what}Seconds`, ms / 1000]));
    return { versions: total, seconds, perSecond: total / seconds, ...split, tarballBytes };
  } finally {
    await registry.close();
  }
}

/**
 * Seeds `dataDir`, or with --seeded copies a seed made earlier for the same corpus (seeding it there
 * first). Blobs are hard links: they are never rewritten, and copying 100 000 small files would take
 * longer than the run. The seed itself is never served, so every run starts from the same rows.
 */
async function seeded(options, corpus, dataDir) {
  if (!options.seeded) {
    log(`seeding ${corpus.packages.length * corpus.packages[0].versions.length} versions into ${dataDir}…`);
    return seedStore(corpus, dataDir);
  }
  const seed = join(options.seeded, `${options.packages}x${options.versions}`);
  const about = join(seed, 'seeding.json');
  if (!existsSync(about)) {
    await rm(seed, { recursive: true, force: true });
    log(`seeding ${options.packages * options.versions} versions into ${seed} (kept for later runs)…`);
    const seeding = await seedStore(corpus, join(seed, 'data'));
    // Written last: a seed interrupted half way has no seeding.json and is made again.
    await writeFile(about, JSON.stringify(seeding));
  }
  log(`copying the seed in ${seed}…`);
  await run('cp', ['-al', join(seed, 'data'), dataDir]);
  // The database is written to by the server: a real copy, never a link into the seed.
  for (const file of await readdir(dataDir)) {
    if (!file.startsWith('gatehouse.sqlite')) continue;
    await rm(join(dataDir, file));
    await run('cp', [join(seed, 'data', file), join(dataDir, file)]);
  }
  return JSON.parse(await readFile(about, 'utf8'));
}

function run(command, args) {
  return new Promise((resolve, reject) => {
    execFile(command, args, (err) => (err ? reject(err) : resolve()));
  });
}

/** The server's memory from /proc/<pid>/status, in MiB (VmHWM is the peak since start or the last reset). */
async function memoryOf(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) / 1024;
  return { rssMB: field('VmRSS'), peakMB: field('VmHWM'), anonMB: field('RssAnon'), fileMB: field('RssFile') };
}

/** Linux: writing 5 to clear_refs resets VmHWM, so each phase gets its own peak. False where refused. */
async function resetPeak(pid) {
  try {
    await writeFile(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Waits until two readings half a second apart differ by less than 1 MiB (at most 30 s). */
async function settle(pid) {
  let last = (await memoryOf(pid)).rssMB;
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
    await sleep(500);
    const now = (await memoryOf(pid)).rssMB;
    if (Math.abs(now - last) < 1) return;
    last = now;
  }
}

/** RSS every 250 ms, tagged with the phase under way, to show whether a phase levels off or keeps growing. */
function sampler(pid) {
  const samples = [];
  const started = performance.now();
  let phase = 'idle';
  const timer = setInterval(() => {
    const s = Number(((performance.now() - started) / 1000).toFixed(2));
    memoryOf(pid).then(
      (m) => samples.push({ s, phase, rssMB: Number(m.rssMB.toFixed(1)) }),
      () => undefined,
    );
  }, 250);
  return {
    samples,
    enter: (id) => (phase = id),
    /** First, last and highest reading during a phase. */
    during(id) {
      const rss = samples.filter((x) => x.phase === id).map((x) => x.rssMB);
      return rss.length ? { firstMB: rss[0], lastMB: rss.at(-1), maxMB: Math.max(...rss) } : undefined;
    },
    stop: () => clearInterval(timer),
  };
}

/** Every package's full and abbreviated packument once, 16 at a time; returns every tarball path. */
async function readEveryPackument(url, names) {
  const tarballs = [];
  const bytes = { full: 0, abbreviated: 0 };
  await eachLimited(names, 16, async (name) => {
    const full = await get(url + packumentPath(name), 'application/json');
    for (const tarball of tarballUrls(JSON.parse(full))) tarballs.push(tarball.pathname);
    const abbreviated = await get(url + packumentPath(name), CORGI_ACCEPT);
    bytes.full += full.length;
    bytes.abbreviated += abbreviated.length;
  });
  return { requests: names.length * 2, fullBytes: bytes.full, abbreviatedBytes: bytes.abbreviated, tarballs: tarballs.sort() };
}

/** Both packuments of every package and every tarball, shuffled, walked once by all connections together. */
function mixedReads(url, names, tarballs, options) {
  const paths = [
    ...names.map((n) => ({ path: packumentPath(n), headers: { accept: 'application/json' } })),
    ...names.map((n) => ({ path: packumentPath(n), headers: { accept: CORGI_ACCEPT } })),
    ...tarballs.map((path) => ({ path, headers: { accept: '*/*' } })),
  ];
  const requests = shuffled(paths).map((r) => ({ method: 'GET', ...r }));
  const job = { url, connections: options.connections, duration: options.duration, warmup: 0, requests, expectStatus: 200 };
  // Without a duration, exactly one walk: every packument and tarball read once, in shuffled order.
  return runWorker({ ...job, walk: true, ...(options.duration === 0 && { amount: requests.length }) });
}

async function folderBytes(dir) {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  let bytes = 0;
  let disk = 0;
  await eachLimited(files, 32, async (file) => {
    const s = await stat(file);
    bytes += s.size;
    disk += s.blocks * 512;
  });
  return { files: files.length, bytes, diskBytes: disk };
}

async function storageSizes(dataDir) {
  const size = async (file) => (await stat(file).catch(() => ({ size: 0 }))).size;
  const sqlite = join(dataDir, 'gatehouse.sqlite');
  return {
    sqliteBytes: await size(sqlite),
    walBytes: await size(`${sqlite}-wal`),
    blobs: await folderBytes(join(dataDir, 'blobs')),
  };
}

/** Runs the phases against the started server; each ends with a reading of its RSS and its own peak. */
async function measurePhases(server, corpus, options, results) {
  const series = sampler(server.pid);
  results.series = series.samples;
  const phase = async (id, label, work) => {
    const perPhasePeak = await resetPeak(server.pid);
    series.enter(id);
    const started = performance.now();
    const detail = await work();
    const memory = await memoryOf(server.pid);
    const seconds = (performance.now() - started) / 1000;
    const entry = { id, label, seconds, ...memory, perPhasePeak, during: series.during(id), ...detail };
    results.phases.push(entry);
    log(`  ${label}: RSS ${memory.rssMB.toFixed(1)} MB, peak ${memory.peakMB.toFixed(1)} MB`);
    return entry;
  };
  try {
    // Startup and the login that fetched the token (scrypt) have run; the start-up sweep of the blob
    // folder (a walk over every blob) may still be under way: wait until RSS holds still.
    await settle(server.pid);
    results.phases.push({
      id: 'idle',
      label: 'idle after start and login',
      ...(await memoryOf(server.pid)),
      perPhasePeak: false,
    });
    log(`  idle: RSS ${results.phases[0].rssMB.toFixed(1)} MB, peak since start ${results.phases[0].peakMB.toFixed(1)} MB`);
    const names = corpus.packages.map((p) => p.name);
    let tarballs = [];
    await phase('packuments', 'after every packument, full and abbreviated', async () => {
      const { tarballs: paths, ...read } = await readEveryPackument(server.url, names);
      tarballs = paths;
      return { ...read, tarballs: tarballs.length };
    });
    const readsLabel = options.duration === 0 ? 'after one read of every URL' : `after ${options.duration} s of mixed reads`;
    await phase('reads', readsLabel, async () => {
      const reads = await mixedReads(server.url, names, tarballs, options);
      const wrong = reads.responses - reads.expected + reads.errors + reads.timeouts;
      if (wrong) log(`  warning: ${wrong} mixed reads were not 200: ${JSON.stringify(reads.statuses)}, errors ${reads.errors}`);
      return { reads: { ...reads, urls: names.length * 2 + tarballs.length } };
    });
    await phase('publishes', `after ${options.publishes} publishes over HTTP`, async () => ({
      publish: await measurePublish(server, { count: options.publishes }),
    }));
  } finally {
    series.stop();
  }
}

function verdict(results) {
  const top = results.phases.reduce((a, b) => (b.peakMB > a.peakMB ? b : a));
  const highestReading = Math.max(...results.phases.map((p) => p.rssMB));
  const applies = results.corpus.versions >= TARGET_VERSIONS;
  return { limitMB: TARGET_MB, peakMB: top.peakMB, peakPhase: top.id, highestReading, pass: top.peakMB < TARGET_MB, applies };
}

const num = (n, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const during = (p) =>
  p.during ? `; RSS during it ${num(p.during.firstMB)} → ${num(p.during.lastMB)} MB, max ${num(p.during.maxMB)}` : '';

/** One line of figures behind each phase: what it did, and how RSS moved meanwhile. */
function phaseNotes([, packuments, reads, publishes]) {
  const r = reads.reads;
  const p = publishes.publish;
  return [
    `  packuments: ${num(packuments.requests)} reads in ${num(packuments.seconds)} s, ` +
      `${num(mb(packuments.fullBytes), 1)} MiB full + ${num(mb(packuments.abbreviatedBytes), 1)} MiB abbreviated${during(packuments)}`,
    `  mixed reads: ${num(r.rps)} req/s, p50 ${num(r.p50, 1)} ms, ${num(r.responses)} responses over ${num(r.urls)} URLs ` +
      `(${num(Math.min(1, r.responses / r.urls) * 100)} % walked)${during(reads)}`,
    `  publishes: ${p.ok}/${p.count} ok, p50 ${num(p.p50 ?? NaN, 1)} ms${during(publishes)}`,
  ];
}

function table(results) {
  const { corpus: c, seeding: s, storage: st, target: t, machine: m } = results;
  const row = (label, rss, peak) => `${label.padEnd(46)} ${rss.padStart(7)} ${peak.padStart(8)}`;
  const perPhase = results.phases.every((p) => p.id === 'idle' || p.perPhasePeak);
  const mark = t.applies ? (t.pass ? 'pass' : 'MISS') : `n/a (${num(c.versions)} versions stored)`;
  return [
    `Gatehouse memory benchmark, ${results.startedAt}`,
    `machine: ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB; Node ${m.node}`,
    `stored: ${num(c.packages)} packages × ${c.versionsEach} versions = ${num(c.versions)} versions, seeded in ${num(s.seconds)} s ` +
      `(build ${num(s.buildSeconds)} s, blobs ${num(s.blobsSeconds)} s, database ${num(s.dbSeconds)} s)`,
    `SQLite ${num(mb(st.sqliteBytes), 1)} MiB; blobs: ${num(st.blobs.files)} files, ${num(mb(st.blobs.bytes), 1)} MiB ` +
      `(${num(mb(st.blobs.diskBytes), 1)} MiB on disk)`,
    '',
    row('phase', 'RSS MB', 'peak MB'),
    ...results.phases.map((p) => row(p.label, num(p.rssMB, 1), num(p.peakMB, 1))),
    '',
    ...phaseNotes(results.phases),
    `  RSS = VmRSS at the end of the phase; peak = VmHWM ${perPhase ? 'during the phase (idle: since start, login included)' : 'since start'}; MB = MiB`,
    '',
    `target: under ${t.limitMB} MB RSS with ${num(TARGET_VERSIONS)} versions stored: ${mark} ` +
      `(highest peak ${num(t.peakMB, 1)} MB in "${t.peakPhase}", highest end-of-phase RSS ${num(t.highestReading, 1)} MB)`,
  ].join('\n');
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  if (!existsSync(join(REPO, 'dist/registry.js'))) throw new UsageError('dist/registry.js is missing: run `npm run build` first');
  const corpus = buildCorpus({ packages: options.packages, versions: options.versions, rootDeps: 1 });
  const cpus = os.cpus();
  const results = {
    startedAt: new Date().toISOString(),
    machine: {
      cores: os.availableParallelism(),
      cpu: cpus[0]?.model.trim(),
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
    },
    options,
    corpus: { packages: options.packages, versionsEach: options.versions, versions: options.packages * options.versions },
    phases: [],
  };
  const workDir = await mkdtemp(join(os.tmpdir(), 'gatehouse-memory-'));
  const dataDir = join(workDir, 'gatehouse');
  let server;
  try {
    results.seeding = await seeded(options, corpus, dataDir);
    results.storage = await storageSizes(dataDir);
    log('starting gatehouse…');
    server = await startGatehouse({ repo: REPO, workDir, log, dataDir, readyTimeoutMs: 600_000 });
    log(`  at ${server.url}, pid ${server.pid}`);
    await measurePhases(server, corpus, options, results);
  } finally {
    await server?.stop();
    if (results.storage) results.storageAtEnd = await storageSizes(dataDir);
    if (options.keep) log(`kept ${workDir}`);
    else await rm(workDir, { recursive: true, force: true });
  }
  results.target = verdict(results);
  console.log(`\n${table(results)}`);

  console.log(`\nresults saved to ${await saveResults(REPO, 'memory', results)}`);
}

main().catch((err) => {
  console.error(err instanceof UsageError ? err.message : (err.stack ?? err));
  process.exit(1);
});
