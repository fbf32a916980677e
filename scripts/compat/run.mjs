// `npm run compat`: packs the most-downloaded npm packages (latest plus older versions), publishes
// them byte for byte to a throwaway Gatehouse built from this checkout, reads them back, and
// reports the share accepted and every refusal. A report, not a gate: exits 0 unless the harness
// itself failed. Talks to the public registry only through npm pack / npm view; publishes only to
// the local test server.

import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import semver from 'semver';
import { startGatehouse } from '../../bench/registries/gatehouse.mjs';
import { download } from './download.mjs';
import { REPO, STATE, ensureDirs, tarballFile } from './files.mjs';
import { limitBreached, measureTarball } from './limits.mjs';
import { eachLimited } from './pool.mjs';
import { NPM_ROOT, publishTarball } from './publish.mjs';
import { buildReport, markdown, writeReport } from './report.mjs';
import { olderVersions, topNames } from './select.mjs';
import { throwawayDatabase } from './postgres.mjs';
import { verifyAccepted } from './verify.mjs';

const USAGE = `Usage: npm run compat -- [--top 1000] [--older 300] [--as-of 2026-12-01] [--engine sqlite|postgres]
  [--jobs 2] [--no-build] [--download-only] [--retry-unpackable] [--keep-data]`;
const OLDER_TAG = 'compat-older';

const { values: flags } = parseArgs({
  options: {
    top: { type: 'string', default: '1000' },
    older: { type: 'string', default: '300' },
    // Fixed, not "today": the older picks depend on it, and reruns must test the same versions.
    'as-of': { type: 'string', default: '2026-12-01' },
    engine: { type: 'string', default: 'sqlite' },
    jobs: { type: 'string', default: '2' },
    'no-build': { type: 'boolean', default: false },
    'download-only': { type: 'boolean', default: false },
    'retry-unpackable': { type: 'boolean', default: false },
    'keep-data': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  },
});
if (flags.help) {
  console.log(USAGE);
  process.exit(0);
}
const top = Number(flags.top);
const olderCount = Number(flags.older);
const asOf = new Date(`${flags['as-of']}T00:00:00Z`);
// The machine is shared: never more than two npm processes, whatever is asked.
const jobs = Math.min(2, Math.max(1, Number(flags.jobs)));
if (
  !Number.isInteger(top) ||
  !Number.isInteger(olderCount) ||
  Number.isNaN(asOf.getTime()) ||
  !['sqlite', 'postgres'].includes(flags.engine)
) {
  console.error(USAGE);
  process.exit(2);
}
const log = (message) => console.error(`[compat ${new Date().toISOString().slice(11, 19)}] ${message}`);
const npmCache = join(STATE, 'npm-cache');

async function main() {
  ensureDirs();
  const names = topNames(top);
  const older = olderCount > 0 ? await olderVersions(topNames(10_000), olderCount, { asOf, jobs, npmCache, log }) : [];
  const index = await download([...names.map((name) => ({ name })), ...older], {
    jobs,
    npmCache,
    log,
    retryUnpackable: flags['retry-unpackable'],
  });
  const items = selectedItems(names, older, index);
  const unpackable = [
    ...names.filter((n) => !index.latest[n]).map((n) => `${n}@latest`),
    ...older.map((o) => `${o.name}@${o.version}`),
  ]
    .filter((spec) => index.unpackable[spec])
    .map((spec) => ({ spec, error: index.unpackable[spec] }));
  log(`${items.length} versions to publish, ${unpackable.length} could not be packed`);
  if (flags['download-only']) return;

  if (!flags['no-build']) {
    log('building dist/');
    execFileSync(process.execPath, [createRequire(import.meta.url).resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
      cwd: REPO,
      stdio: 'inherit',
    });
  }
  const { DEFAULTS } = await import(join(REPO, 'dist/config.js'));
  const results = await publishAll(items, DEFAULTS);
  const meta = {
    gatehouse: gitState(),
    engine: flags.engine,
    npmVersion: createRequire(NPM_ROOT)('./package.json').version,
    finishedAt: new Date().toISOString(),
    options: { top, older: olderCount, asOf: flags['as-of'], olderWindow: 'two to five years before --as-of' },
    limits: {
      maxBodyBytes: DEFAULTS.maxBodyBytes,
      maxUnpackedBytes: DEFAULTS.maxUnpackedBytes,
      maxFileCount: DEFAULTS.maxFileCount,
      maxPathDepth: DEFAULTS.maxPathDepth,
    },
  };
  const report = buildReport({ meta, results, unpackable, index });
  const text = markdown(report);
  writeReport(report, text);
  process.stdout.write(text);
}

/** Every packed version, each name's in ascending semver order (older ones first, on their own tag). */
function selectedItems(names, older, index) {
  const items = [];
  for (const name of names) {
    const version = index.latest[name];
    if (version) items.push({ name, version, set: 'latest', tag: 'latest' });
  }
  for (const o of older) {
    if (index.packed[`${o.name}@${o.version}`]) items.push({ ...o, set: 'older', tag: OLDER_TAG });
  }
  return items.map((i) => ({ ...i, id: `${i.name}@${i.version}`, file: tarballFile(i.name, i.version) }));
}

async function publishAll(items, config) {
  const byName = new Map();
  for (const item of items) byName.set(item.name, [...(byName.get(item.name) ?? []), item]);
  for (const list of byName.values()) list.sort((a, b) => semver.compare(a.version, b.version));

  const workDir = join(STATE, `run-${flags.engine}`);
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  // Default limits: no GATEHOUSE_* setting of the caller's shell may reach the server under test.
  for (const key of Object.keys(process.env))
    if (key.startsWith('GATEHOUSE_') && key !== 'GATEHOUSE_LOG_LEVEL') delete process.env[key];
  const database = flags.engine === 'postgres' ? await throwawayDatabase() : null;
  if (database) process.env.GATEHOUSE_DATABASE_URL = database.url;
  const server = await startGatehouse({ repo: REPO, workDir, log });
  const registry = `${server.url}/`;
  log(`Gatehouse at ${server.url} (${flags.engine}); publishing ${items.length} versions`);
  const results = [];
  try {
    let done = 0;
    await eachLimited([...byName.values()], jobs, async (list) => {
      for (const item of list) {
        const outcome = await publishTarball({ file: item.file, registry, token: server.token, tag: item.tag, npmCache });
        const result = { ...item, ...outcome };
        if (outcome.outcome === 'accepted') result.verifyError = await verifyAccepted({ registry, ...item, tag: outcome.tag });
        if (outcome.outcome === 'refused') result.limit = limitBreached(outcome, await measureTarball(item.file), config);
        results.push(result);
        if (++done % 100 === 0) log(`published ${done}/${items.length}`);
      }
    });
  } finally {
    await server.stop();
    if (database) await database.drop();
    if (!flags['keep-data']) rmSync(join(workDir, 'gatehouse'), { recursive: true, force: true });
  }
  return results.sort((a, b) => a.id.localeCompare(b.id));
}

function gitState() {
  const git = (...args) => execFileSync('git', args, { cwd: REPO, encoding: 'utf8' }).trim();
  return {
    commit: git('rev-parse', 'HEAD'),
    branch: git('rev-parse', '--abbrev-ref', 'HEAD'),
    dirty: git('status', '--porcelain', '--', 'src') !== '',
  };
}

main().catch((err) => {
  console.error(`compat: the harness failed: ${err.stack ?? err}`);
  process.exit(1);
});
