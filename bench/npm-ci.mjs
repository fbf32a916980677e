// `npm ci` of the root app from a cold client cache: the lockfile is made once per registry with
// `npm install`, then each run starts with no node_modules and an empty npm cache. Wall time,
// median of the runs, with a token in .npmrc as a private registry's users would have.

import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { emptyDir, npm, writeNpmrc } from './npm-client.mjs';

export async function measureNpmCi(registry, corpus, { workDir, runs, log }) {
  const app = await emptyDir(join(workDir, `app-${registry.name}`));
  const userconfig = await writeNpmrc(join(workDir, `${registry.name}-ci.npmrc`), registry);
  const manifest = { name: 'bench-app', version: '1.0.0', private: true, dependencies: corpus.app };
  await writeFile(join(app, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');

  const install = await npm(['install'], { userconfig, cache: await emptyDir(join(workDir, 'npm-cache-lock')), cwd: app });
  const lock = JSON.parse(await readFile(join(app, 'package-lock.json'), 'utf8'));
  const packages = Object.keys(lock.packages).filter((key) => key !== '').length;
  log(`  ${registry.name}: lockfile has ${packages} packages (npm install ${(install.ms / 1000).toFixed(1)} s)`);

  const seconds = [];
  for (let run = 0; run < runs; run++) {
    await rm(join(app, 'node_modules'), { recursive: true, force: true });
    const cache = await emptyDir(join(workDir, `npm-cache-ci-${run}`));
    const res = await npm(['ci'], { userconfig, cache, cwd: app });
    seconds.push(res.ms / 1000);
    log(`  ${registry.name}: npm ci run ${run + 1}: ${(res.ms / 1000).toFixed(2)} s`);
  }
  const sorted = [...seconds].sort((a, b) => a - b);
  return { packages, installSeconds: install.ms / 1000, runs: seconds, median: sorted[Math.floor(sorted.length / 2)] };
}
