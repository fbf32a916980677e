// `gatehouse install` against `npm ci` on the same lockfile and the same local Gatehouse, in one
// run: the generated corpus (bench/corpus.mjs) published with stock npm, an app whose lockfile
// holds ~500 packages written once by `npm install --package-lock-only`, then alternating runs of
//   cold: no node_modules, an empty client cache (npm's cacache, gatehouse's content cache);
//   warm: no node_modules, the cache the previous run filled.
// Wall time, median of the runs; the ratio is gatehouse / npm (below 1: gatehouse is faster).
// Both run with install scripts on their defaults (the corpus has none) and a token in .npmrc.
//
//   npm run build && node bench/install.mjs [--packages 300] [--runs 3] [--keep]
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCorpus } from './corpus.mjs';
import { emptyDir, npm, writeNpmrc } from './npm-client.mjs';
import { runCommand, stockEnv } from './processes.mjs';
import { startGatehouse } from './registries/gatehouse.mjs';
import { seed, writeCorpus } from './seed.mjs';

const repo = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i < 0 ? fallback : Number(args[i + 1]);
};
const options = { packages: flag('packages', 300), runs: flag('runs', 3), keep: args.includes('--keep') };
const log = (line) => process.stderr.write(`${line}\n`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function gatehouseInstall(app, userconfig, cache) {
  const env = stockEnv({ NPM_CONFIG_USERCONFIG: userconfig });
  const res = await runCommand(process.execPath, [join(repo, 'dist/cli/main.js'), 'install', '--cache', cache], {
    cwd: app,
    env,
  });
  if (res.code !== 0) throw new Error(`gatehouse install exited ${res.code}:\n${res.stderr.slice(-2000)}`);
  return res.ms / 1000;
}

async function main() {
  const workDir = await mkdtemp(join(os.tmpdir(), 'gatehouse-bench-install-'));
  let registry;
  try {
    registry = await startGatehouse({ repo, workDir, log });
    const corpus = buildCorpus({ packages: options.packages, versions: 3, rootDeps: 20 });
    log(`seeding ${corpus.packages.length} packages × 3 versions with npm publish…`);
    await seed(registry, await writeCorpus(corpus, join(workDir, 'corpus'), 2), { workDir, log });

    const app = await emptyDir(join(workDir, 'app'));
    const userconfig = await writeNpmrc(join(workDir, 'install.npmrc'), registry);
    const manifest = { name: 'bench-app', version: '1.0.0', private: true, dependencies: corpus.app };
    await writeFile(join(app, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
    await npm(['install', '--package-lock-only'], {
      userconfig,
      cache: await emptyDir(join(workDir, 'npm-cache-lock')),
      cwd: app,
    });
    const lock = JSON.parse(await readFile(join(app, 'package-lock.json'), 'utf8'));
    const packages = Object.keys(lock.packages).filter((k) => k !== '').length;
    log(`lockfile: ${packages} packages`);

    const times = { npmCold: [], npmWarm: [], ghCold: [], ghWarm: [] };
    for (let run = 0; run < options.runs; run++) {
      const npmCache = await emptyDir(join(workDir, `npm-cache-${run}`));
      const ghCache = await emptyDir(join(workDir, `gh-cache-${run}`));
      for (const [key, fn] of [
        ['npmCold', () => npm(['ci'], { userconfig, cache: npmCache, cwd: app }).then((r) => r.ms / 1000)],
        ['ghCold', () => gatehouseInstall(app, userconfig, ghCache)],
        ['npmWarm', () => npm(['ci'], { userconfig, cache: npmCache, cwd: app }).then((r) => r.ms / 1000)],
        ['ghWarm', () => gatehouseInstall(app, userconfig, ghCache)],
      ]) {
        await rm(join(app, 'node_modules'), { recursive: true, force: true });
        const seconds = await fn();
        times[key].push(seconds);
        log(`  run ${run + 1} ${key}: ${seconds.toFixed(2)} s`);
      }
    }
    const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
    const rows = [
      ['cold', m.npmCold, m.ghCold],
      ['warm', m.npmWarm, m.ghWarm],
    ];
    console.log(`\n${packages} packages, median of ${options.runs} runs (${os.cpus().length} cores, Node ${process.version})`);
    console.log('cache | npm ci   | gatehouse install | ratio (gatehouse / npm)');
    for (const [name, n, g] of rows)
      console.log(`${name.padEnd(5)} | ${n.toFixed(2).padStart(6)} s | ${g.toFixed(2).padStart(15)} s | ${(g / n).toFixed(2)}`);
    const slower = rows.filter(([, n, g]) => g > n);
    console.log(
      slower.length
        ? `target missed: slower than npm ci (${slower.map((r) => r[0]).join(', ')})`
        : 'target met: no slower than npm ci',
    );
  } finally {
    await registry?.stop();
    if (options.keep) log(`kept ${workDir}`);
    else await rm(workDir, { recursive: true, force: true });
  }
}

await main();
