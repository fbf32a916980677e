// The generated corpus: N small packages named after real popular ones (prefixed so they can never
// be mistaken for them), a few versions each, and a dependency graph (a DAG: a package only depends
// on packages after it) so that a root app depending on ~20 of them installs a few hundred.
// Deterministic: the same options always give the same packages and bytes.

import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// shared/ sits beside the repository, on developers' machines and in CI alike.
const TOP_PACKAGES = fileURLToPath(new URL('../../shared/data/npm-top-10000.tsv', import.meta.url));

const ANY_MAJOR_SHARE = 0.7;

/** Small seeded PRNG (mulberry32), so runs on different days generate the same corpus. */
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function baseNames() {
  if (!existsSync(TOP_PACKAGES)) return Array.from({ length: 10_000 }, (_, i) => `pkg${i}`);
  return readFileSync(TOP_PACKAGES, 'utf8')
    .split('\n')
    .map((line) => line.split('\t')[0].trim().toLowerCase())
    .filter(Boolean)
    .map((name) => name.replace(/^@/, '').replace(/[^a-z0-9._-]+/g, '-'));
}

/** Every fifth package is scoped (@bench/x), the rest are bench-x: both URL shapes get exercised. */
function pickNames(count) {
  const seen = new Set();
  const names = [];
  const add = (base) => {
    if (seen.has(base)) return;
    seen.add(base);
    names.push(names.length % 5 === 4 ? `@bench/${base}` : `bench-${base}`);
  };
  for (const base of baseNames()) {
    if (names.length === count) break;
    add(base);
  }
  // The list gives ~9 960 distinct names; the memory benchmark's 10 000 packages go on with numbered ones.
  for (let n = 1; names.length < count; n++) add(`pkg${n}`);
  return names;
}

/** 1.0.0, 1.1.0, 2.0.0, 2.1.0, …: two majors make npm nest some duplicates, as real trees do. */
function versionList(count) {
  return Array.from({ length: count }, (_, k) => `${1 + Math.floor(k / 2)}.${k % 2}.0`);
}

export function buildCorpus({ packages, versions, rootDeps }) {
  const random = seededRandom(0x9a7e);
  const names = pickNames(packages);
  const releases = versionList(versions);
  const majors = [...new Set(releases.map((v) => v.split('.')[0]))];
  // Most ranges ask for the newest major, about a third for an older one, so npm nests copies as in
  // real trees: with 300 packages its lockfile holds ~520 (an even split makes it ~1 100).
  const range = () => `^${random() < ANY_MAJOR_SHARE ? majors[Math.floor(random() * majors.length)] : majors.at(-1)}.0.0`;

  const list = names.map((name, index) => {
    const dependencies = {};
    const later = packages - index - 1;
    const wanted = later > 0 ? Math.floor(random() * 7) : 0; // 0–6, about 3 on average
    for (let k = 0; k < wanted; k++) {
      dependencies[names[index + 1 + Math.floor(random() * later)]] = range();
    }
    const seed = Math.floor(random() * 2 ** 32);
    return { name, versions: releases, dependencies, codeSize: 300 + Math.floor(random() * 6000), seed };
  });

  // The app's direct dependencies come from the first third, so their closure is deep.
  const app = {};
  const pool = Math.max(rootDeps, Math.floor(packages / 3));
  while (Object.keys(app).length < Math.min(rootDeps, packages)) {
    app[names[Math.floor(random() * pool)]] = range();
  }
  return { packages: list, app, tree: treeSize(list, app) };
}

/** How many name@version the app resolves to (each caret range picks its major's newest). */
function treeSize(list, app) {
  const byName = new Map(list.map((p) => [p.name, p]));
  const seen = new Set();
  const names = new Set();
  const visit = (deps) => {
    for (const [name, spec] of Object.entries(deps)) {
      const key = `${name}@${spec}`;
      if (seen.has(key)) continue;
      seen.add(key);
      names.add(name);
      visit(byName.get(name).dependencies);
    }
  };
  visit(app);
  return { versions: seen.size, names: names.size };
}

/** The files of one package version, as both the npm-published folder and the tarball hold them. */
export function packageFiles(pkg, version) {
  const manifest = {
    name: pkg.name,
    version,
    description: `Benchmark fixture modelled on ${pkg.name.replace(/^@bench\/|^bench-/, '')}`,
    main: 'index.js',
    license: 'MIT',
    keywords: ['gatehouse', 'benchmark'],
    dependencies: pkg.dependencies,
  };
  // Code that does not compress to nothing, so tarballs weigh what small real ones do (1–3 kB).
  const random = seededRandom(pkg.seed + Number(version.replace(/\./g, '')));
  let code = '';
  while (code.length < pkg.codeSize) {
    const id = Math.floor(random() * 1e9).toString(36);
    code += `exports.f_${id} = (a) => a * ${random().toFixed(6)} + '${id}';\n`;
  }
  return {
    'package.json': JSON.stringify(manifest, null, 2) + '\n',
    'index.js': `'use strict';\n${code}`,
    'README.md': `# ${pkg.name}\n\nA generated package for the Gatehouse benchmark.\n`,
  };
}
