// Which package versions the compatibility check publishes: the top N names at `latest`, plus one
// older version of each of the first names that have one published two to five years before
// `asOf`. Picks are deterministic for a given asOf and cached, so reruns publish the same set.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { runCommand, stockEnv } from '../../bench/processes.mjs';
import { eachLimited } from './pool.mjs';
import { REPO, STATE, readJson, writeJson } from './files.mjs';

// shared/ sits beside the main checkout (/work/main) and two levels up from a worktree (/work/wt/NAME).
const TOP = [join(REPO, '..', 'shared'), join(REPO, '..', '..', 'shared')]
  .map((dir) => join(dir, 'data', 'npm-top-10000.tsv'))
  .find((file) => existsSync(file));
const OLDER = join(STATE, 'older.json');
const YEAR_MS = 365.25 * 24 * 3600 * 1000;

export function topNames(count, file = process.env.COMPAT_TOP_FILE ?? TOP) {
  if (!file) throw new Error('npm-top-10000.tsv not found beside this checkout; set COMPAT_TOP_FILE');
  const names = readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.split('\t')[0].trim())
    .filter(Boolean);
  return names.slice(0, count);
}

/**
 * One release version published inside [asOf - 5 years, asOf - 2 years], or null. Chosen by a hash
 * of the name rather than "the newest", so the picks spread over the whole window (older tarballs
 * are where packing quirks live) yet stay the same on every run.
 */
export function pickOlder(view, asOf) {
  const latest = view['dist-tags']?.latest;
  const versions = Array.isArray(view.versions) ? view.versions : [view.versions].filter(Boolean);
  const from = asOf.getTime() - 5 * YEAR_MS;
  const to = asOf.getTime() - 2 * YEAR_MS;
  const inWindow = versions.filter((v) => {
    const at = Date.parse(view.time?.[v] ?? '');
    return semver.valid(v) && !semver.prerelease(v) && v !== latest && at >= from && at <= to;
  });
  if (inWindow.length === 0) return null;
  const hash = createHash('sha256')
    .update(view.name ?? '')
    .digest()
    .readUInt32BE(0);
  return inWindow.sort(semver.compare)[hash % inWindow.length];
}

/**
 * One older version for each of the first `count` candidate names that has one. `npm view` runs
 * at most `jobs` at a time; answers are cached in .compat/older.json, keyed by asOf.
 */
export async function olderVersions(candidates, count, { asOf, jobs, npmCache, log }) {
  const cached = readJson(OLDER, {});
  const state = cached.asOf === asOf.toISOString() ? cached : { asOf: asOf.toISOString(), views: {} };
  const picks = [];
  for (let start = 0; start < candidates.length && picks.length < count; start += jobs * 10) {
    const chunk = candidates.slice(start, start + jobs * 10).filter((name) => !(name in state.views));
    await eachLimited(chunk, jobs, async (name) => {
      state.views[name] = await viewPick(name, asOf, npmCache);
    });
    writeJson(OLDER, state);
    for (const name of candidates.slice(start, start + jobs * 10)) {
      if (picks.length < count && state.views[name].version) picks.push({ name, version: state.views[name].version });
    }
    if (chunk.length)
      log(`older versions: ${picks.length}/${count} picked from ${Math.min(start + jobs * 10, candidates.length)} names`);
  }
  log(`older versions: ${picks.length} picked`);
  return picks;
}

async function viewPick(name, asOf, npmCache) {
  const result = await runCommand('npm', ['view', name, 'name', 'time', 'versions', 'dist-tags', '--json', '--cache', npmCache], {
    env: stockEnv(),
  });
  if (result.code !== 0) return { version: null, error: firstLine(result.stderr) };
  try {
    return { version: pickOlder(JSON.parse(result.stdout), asOf) };
  } catch (err) {
    return { version: null, error: `unreadable npm view output: ${err.message}` };
  }
}

export function firstLine(text) {
  return (
    text
      .split('\n')
      .map((l) => l.replace(/^npm (error|ERR!)\s*/, '').trim())
      .find(Boolean) ?? ''
  );
}
