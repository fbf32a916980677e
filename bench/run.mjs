// `npm run bench`: in one run, seeds the same generated corpus into Gatehouse and Verdaccio with
// stock npm, mirrors it byte for byte to nginx, measures reads, publish and `npm ci` against each,
// then prints a table against the targets of shared/DESIGN.md and saves it as .bench/results-*.json.
// Every server it starts listens on 127.0.0.1 only and is stopped at the end. See bench/README.md.

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { buildCorpus } from './corpus.mjs';
import { measureReadCase, READ_CASES } from './load.mjs';
import { mirrorCorpus, tarballPaths, versionPaths } from './mirror.mjs';
import { measureNpmCi } from './npm-ci.mjs';
import { stockNpm } from './npm-client.mjs';
import { parseOptions, UsageError } from './options.mjs';
import { pinProcessTree, runCommand } from './processes.mjs';
import { measurePublish } from './publish-latency.mjs';
import { startGatehouse } from './registries/gatehouse.mjs';
import { startBareNode } from './registries/bare-node.mjs';
import { startNginx } from './registries/nginx.mjs';
import { startVerdaccio } from './registries/verdaccio.mjs';
import { BUSY_SHARE, report, saveResults } from './report.mjs';
import { seed, writeCorpus } from './seed.mjs';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const STARTERS = { gatehouse: startGatehouse, verdaccio: startVerdaccio };
const LABELS = { gatehouse: 'Gatehouse', verdaccio: 'Verdaccio', nginx: 'nginx', bare: 'bare node:http' };
// Servers of a static copy of a seeded registry's answers.
const COPIES = { nginx: startNginx, bare: startBareNode };

// Progress goes to stderr; the final table goes to stdout.
const log = (line) => console.error(line);

/** Share of all cores' time spent busy over `ms`, while this benchmark runs nothing. */
async function busyCpuShare(ms = 1_000) {
  const sample = () =>
    os
      .cpus()
      .reduce((acc, { times: t }) => ({ idle: acc.idle + t.idle, all: acc.all + t.user + t.nice + t.sys + t.idle + t.irq }), {
        idle: 0,
        all: 0,
      });
  const before = sample();
  await sleep(ms);
  const after = sample();
  return 1 - (after.idle - before.idle) / (after.all - before.all || 1);
}

async function describeMachine() {
  const cpus = os.cpus();
  return {
    cores: os.availableParallelism(),
    cpu: cpus[0]?.model.trim(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    busyBeforeRun: await busyCpuShare(),
    platform: `${os.platform()} ${os.arch()} ${os.release()}`,
    node: process.version,
    npm: (await runCommand(stockNpm(), ['--version'])).stdout.trim(),
  };
}

function header(results) {
  const { machine: m, options: o, corpus: c } = results;
  return [
    `Gatehouse benchmark, ${results.startedAt}`,
    `machine: ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB, ${m.platform}; Node ${m.node}, npm ${m.npm}`,
    o.pin
      ? `  servers pinned to core ${o.pin.server}, wrk (one thread) to ${o.pin.load}: the nginx figures are a ceiling set partly by the client`
      : `  the ${m.cores} cores are shared by the server under test and the load generator (wrk, one thread):`,
    o.pin ? null : `  the nginx figures are a ceiling set partly by the client, not nginx's own limit.`,
    `corpus: ${c.packages} packages × ${c.versions} versions = ${c.tarballs} tarballs; the app's ${c.rootDeps} dependencies resolve to ${c.tree.versions} name@version`,
    m.busyBeforeRun > BUSY_SHARE
      ? `warning: before the run the CPU was ${(m.busyBeforeRun * 100).toFixed(0)} % busy with other processes; they skew every figure`
      : null,
    `load: wrk, ${o.connections} connections, ${o.duration} s per case after ${o.warmup} s warm-up, rotating over every packument or tarball` +
      (o.rounds > 1 ? `; ${o.rounds} alternating rounds per case, median shown` : ''),
  ]
    .filter(Boolean)
    .join('\n');
}

/** Runs one step for one registry; a failure is recorded against it and the run goes on. */
async function step(entry, what, fn) {
  try {
    return await fn();
  } catch (err) {
    log(`  ${entry.label}: ${what} failed: ${err.message}`);
    (entry.problems ??= []).push(`${what}: ${err.message}`);
    return undefined;
  }
}

async function startRegistries(options, ctx, results, live) {
  for (const name of ['gatehouse', 'verdaccio'].filter((n) => options.only.includes(n))) {
    log(`starting ${name}…`);
    try {
      const registry = await STARTERS[name](ctx);
      live[name] = registry;
      results.registries[name] = { label: registry.label, version: registry.version, tokens: registry.tokens };
      log(`  ${registry.label} at ${registry.url}`);
    } catch (err) {
      results.registries[name] = { label: LABELS[name], error: err.message };
      log(`  ${LABELS[name]} unavailable, going on without it:\n${err.message}`);
    }
  }
}

async function seedAll(roots, expected, ctx, options, results, live) {
  for (const [name, registry] of Object.entries(live)) {
    log(`seeding ${registry.label} with npm publish --workspaces (${options.seedJobs} in parallel)…`);
    const entry = results.registries[name];
    entry.seed = await step(entry, 'seeding', () => seed(registry, roots, ctx));
    if (entry.seed) {
      log(`  ${entry.seed.publishes} publishes in ${entry.seed.seconds.toFixed(0)} s`);
      if (entry.seed.publishes !== expected) {
        const why = entry.seed.errors.slice(0, 3).join(' | ');
        (entry.problems ??= []).push(`seeding: npm reported ${entry.seed.publishes} publishes, expected ${expected}: ${why}`);
      }
    } else {
      entry.error = `seeding failed: ${entry.problems.at(-1)}`;
      await registry.stop();
      delete live[name];
    }
  }
}

async function startMirror(corpus, ctx, options, results, live) {
  const names = corpus.packages.map((p) => p.name);
  const copies = Object.keys(COPIES).filter((n) => options.only.includes(n));
  const source = live.gatehouse ?? live.verdaccio;
  if (!source) {
    for (const n of copies)
      results.registries[n] = {
        label: LABELS[n],
        error: `${LABELS[n]} serves a copy of a seeded registry: include gatehouse or verdaccio`,
      };
    return null;
  }
  log(`mirroring ${source.label}'s packuments and tarballs to static files for ${copies.join(' and ')}…`);
  const root = join(ctx.workDir, 'static');
  let mirrored;
  try {
    mirrored = await mirrorCorpus(source.url, names, root, versionPaths(corpus));
    log(
      `  ${(mirrored.bytes / 2 ** 20).toFixed(1)} MiB in ${mirrored.tarballs.length} tarballs and ${names.length * 2} packuments`,
    );
  } catch (err) {
    for (const n of copies) results.registries[n] = { label: LABELS[n], error: err.message };
    log(`  mirroring failed: ${err.message}`);
    return null;
  }
  for (const n of copies) {
    try {
      live[n] = await COPIES[n]({ ...ctx, root });
      // Token cases send the copies the very request bytes Gatehouse gets, token included (they ignore
      // it): parsing the longer request is Node's work, the same for both.
      live[n].token = source.token;
      results.registries[n] = { label: live[n].label, version: live[n].version, mirrorOf: source.name };
      log(`  ${live[n].label} at ${live[n].url}`);
    } catch (err) {
      results.registries[n] = { label: LABELS[n], error: err.message };
      log(`  ${LABELS[n]} unavailable: ${err.message}`);
    }
  }
  return mirrored.tarballs;
}

/**
 * Reads go case by case, each case against every registry back to back: load from other processes
 * on the machine drifts, and this way it weighs on the registries compared in one row alike.
 */
async function measureReads(live, corpus, options, results, copyTarballs) {
  const names = corpus.packages.map((p) => p.name);
  results.busyBeforeReads = await busyCpuShare();
  if (results.busyBeforeReads > BUSY_SHARE) {
    log(`warning: other processes keep the CPU ${(results.busyBeforeReads * 100).toFixed(0)} % busy; the figures will be noisy`);
  }
  const targets = {};
  for (const [name, registry] of Object.entries(live)) {
    const entry = results.registries[name];
    const tarballs = await step(entry, 'reads', async () =>
      name in COPIES ? copyTarballs : await tarballPaths(registry.url, names),
    );
    if (tarballs) targets[name] = { names, tarballs, versions: versionPaths(corpus) };
    entry.reads = {};
  }
  if (options.pin) {
    for (const [name, registry] of Object.entries(live).filter(([, r]) => r.pid)) {
      await step(results.registries[name], 'pinning', () =>
        pinProcessTree(registry.pid, options.pin.server, options.pin.taskset),
      );
    }
  }
  log('measuring reads…');
  const cases = options.cases.length > 0 ? READ_CASES.filter((c) => options.cases.includes(c.id)) : READ_CASES;
  for (const c of cases) {
    const rounds = {};
    // Rounds alternate between the registries, and each keeps its median round: a burst of load
    // from elsewhere on the machine then spoils one round, not the comparison.
    for (let round = 0; round < options.rounds; round++) {
      for (const name of Object.keys(targets)) {
        const entry = results.registries[name];
        const result = await step(entry, `reads, ${c.label}`, () => measureReadCase(live[name], targets[name], c, options, log));
        if (result) (rounds[name] ??= []).push(result);
      }
    }
    for (const [name, list] of Object.entries(rounds)) {
      const sorted = [...list].sort((a, b) => (a.rps ?? -1) - (b.rps ?? -1));
      const median = sorted[Math.floor((sorted.length - 1) / 2)];
      results.registries[name].reads[c.id] = list.length > 1 ? { ...median, rounds: list.map((r) => r.rps ?? null) } : median;
    }
  }
}

async function measureWrites(name, registry, corpus, ctx, options, entry) {
  if (!options.skip.includes('publish')) {
    log(`measuring publish latency on ${registry.label} (${options.publishes} sequential PUTs)…`);
    entry.publish = await step(entry, 'publish', () => measurePublish(registry, { count: options.publishes }));
  }
  if (!options.skip.includes('ci')) {
    log(`measuring npm ci on ${registry.label} (${options.ciRuns} runs)…`);
    entry.npmCi = await step(entry, 'npm ci', () => measureNpmCi(registry, corpus, { ...ctx, runs: options.ciRuns }));
  }
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  const corpus = buildCorpus(options);
  const results = {
    startedAt: new Date().toISOString(),
    machine: await describeMachine(),
    options,
    corpus: {
      packages: corpus.packages.length,
      versions: options.versions,
      tarballs: corpus.packages.length * options.versions,
      rootDeps: Object.keys(corpus.app).length,
      tree: corpus.tree,
    },
    registries: {},
  };
  log(header(results) + '\n');

  const workDir = await mkdtemp(join(os.tmpdir(), 'gatehouse-bench-'));
  const ctx = { repo: REPO, workDir, corpusDir: join(workDir, 'corpus'), log, tokens: options.verdaccioTokens };
  const live = {};
  try {
    const roots = await writeCorpus(corpus, ctx.corpusDir, options.seedJobs);
    await startRegistries(options, ctx, results, live);
    await seedAll(roots, results.corpus.tarballs, ctx, options, results, live);
    let copyTarballs = null;
    if (options.only.some((n) => n in COPIES)) {
      copyTarballs = await startMirror(corpus, ctx, options, results, live);
    }
    if (!options.skip.includes('reads')) await measureReads(live, corpus, options, results, copyTarballs);
    for (const [name, registry] of Object.entries(live)) {
      if (!(name in COPIES)) await measureWrites(name, registry, corpus, ctx, options, results.registries[name]);
    }
  } finally {
    await Promise.all(Object.values(live).map((r) => r.stop()));
    if (options.keep) log(`kept ${workDir}`);
    else await rm(workDir, { recursive: true, force: true });
  }

  const { text, targets } = report(results);
  results.targets = targets;
  const problems = Object.values(results.registries).flatMap((r) => (r.problems ?? []).map((p) => `  ${r.label}: ${p}`));
  console.log(`\n${header(results)}\n\n${text}${problems.length ? `\n\nProblems\n${problems.join('\n')}` : ''}`);

  console.log(`\nresults saved to ${await saveResults(REPO, 'results', results)}`);
}

main().catch((err) => {
  console.error(err instanceof UsageError ? err.message : (err.stack ?? err));
  process.exit(1);
});
