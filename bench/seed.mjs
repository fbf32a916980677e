// Seeds a registry with the corpus the way people publish: stock `npm publish`. One npm process per
// package would spend most of the time starting npm (~0.8 s each), so the packages are grouped into
// workspace roots and each root is published with `npm publish --workspaces` (the same pack, check
// and PUT per package). Versions go oldest first: npm refuses an implicit `latest` below an existing one.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageFiles } from './corpus.mjs';
import { npm, writeNpmrc } from './npm-client.mjs';

/**
 * Lays out <dir>/<version>/<lane>/ as a private workspace root whose workspaces are the folders
 * <index>/ of the packages of that lane, one file per package file. Returns the roots by version.
 */
export async function writeCorpus(corpus, dir, lanes) {
  const roots = new Map();
  for (const version of corpus.packages[0].versions) {
    const laneRoots = [];
    for (let lane = 0; lane < lanes; lane++) {
      const root = join(dir, version, String(lane));
      const members = [];
      for (let index = lane; index < corpus.packages.length; index += lanes) {
        const folder = join(root, String(index));
        await mkdir(folder, { recursive: true });
        for (const [name, text] of Object.entries(packageFiles(corpus.packages[index], version))) {
          await writeFile(join(folder, name), text);
        }
        members.push(String(index));
      }
      if (members.length === 0) continue;
      const manifest = { name: `seed-${version}-${lane}`, private: true, workspaces: members };
      await writeFile(join(root, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
      laneRoots.push(root);
    }
    roots.set(version, laneRoots);
  }
  return roots;
}

export async function seed(registry, roots, { workDir, log }) {
  const userconfig = await writeNpmrc(join(workDir, `${registry.name}.npmrc`), registry);
  const started = Date.now();
  let publishes = 0;
  const errors = [];
  for (const [version, laneRoots] of roots) {
    // With --workspaces npm goes on after a refused package and exits non-zero at the end.
    const outputs = await Promise.all(
      laneRoots.map((cwd, lane) =>
        npm(['publish', '--workspaces', '--access', 'public'], {
          userconfig,
          cache: join(workDir, `npm-cache-seed-${registry.name}-${lane}`),
          cwd,
          check: false,
        }),
      ),
    );
    // npm prints `+ name@version` for each package it published.
    const count = outputs.reduce((sum, res) => sum + (res.stdout.match(/^\+ /gm)?.length ?? 0), 0);
    publishes += count;
    for (const res of outputs.filter((r) => r.code !== 0)) {
      errors.push(
        ...res.stderr
          .split('\n')
          .filter((line) => /npm error/.test(line))
          .slice(0, 5),
      );
    }
    log(`  ${registry.name}: ${count} packages published at ${version}`);
  }
  if (publishes === 0) throw new Error(`npm published nothing:\n${errors.join('\n')}`);
  const seconds = (Date.now() - started) / 1000;
  return { publishes, seconds, perSecond: publishes / seconds, errors: errors.slice(0, 20) };
}
