// Fetches the selected versions with `npm pack` into .compat/tarballs/, verifying each file against
// the integrity npm reports. Resumable: what is cached and verified is never fetched again, and the
// version `latest` resolved to on the first run is kept, so reruns test the same set.
// Never runs more than `jobs` npm processes at once.

import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand, stockEnv } from '../../bench/processes.mjs';
import { eachLimited } from './pool.mjs';
import { STATE, readJson, sha512Integrity, tarballFile, writeJson } from './files.mjs';
import { firstLine } from './select.mjs';

export const INDEX = join(STATE, 'index.json');
const BATCH = 25;

export function loadIndex() {
  return readJson(INDEX, { latest: {}, packed: {}, unpackable: {} });
}

/** True when the cached file is there and still has the integrity npm reported for it. */
function cachedAndIntact(entry) {
  if (!entry) return false;
  const file = tarballFile(entry.name, entry.version);
  return existsSync(file) && sha512Integrity(readFileSync(file)) === entry.integrity;
}

/**
 * wanted: [{ name, version? }] (no version: the name's `latest`). Returns the index; every wanted
 * item ends either in index.packed (with index.latest[name] set for latest items) or in index.unpackable.
 */
export async function download(wanted, { jobs, npmCache, log, retryUnpackable = false }) {
  const index = loadIndex();
  const specs = [];
  for (const item of wanted) {
    const version = item.version ?? index.latest[item.name];
    const spec = `${item.name}@${item.version ?? version ?? 'latest'}`;
    const known = version ? index.packed[`${item.name}@${version}`] : undefined;
    if (cachedAndIntact(known)) continue;
    if (!retryUnpackable && index.unpackable[spec]) continue;
    specs.push({ spec, item });
  }
  log(`download: ${wanted.length - specs.length} cached, ${specs.length} to pack`);
  const batches = [];
  for (let i = 0; i < specs.length; i += BATCH) batches.push(specs.slice(i, i + BATCH));
  let done = 0;
  await eachLimited(batches, jobs, async (batch, n) => {
    const missed = await packBatch(batch, index, { npmCache, dir: join(STATE, 'tmp', `batch-${n}`) });
    // A failing spec fails its whole batch (npm pack stops at the first error): retry one by one.
    for (const one of missed) {
      const again = await packBatch([one], index, { npmCache, dir: join(STATE, 'tmp', `batch-${n}`) });
      for (const failed of again) index.unpackable[failed.spec] = failed.error ?? 'npm pack failed';
    }
    writeJson(INDEX, index);
    done += batch.length;
    log(`download: ${done}/${specs.length} packed or tried`);
  });
  rmSync(join(STATE, 'tmp'), { recursive: true, force: true });
  return index;
}

/** Packs specs in one npm process; returns those not packed and verified, with npm's error. */
async function packBatch(batch, index, { npmCache, dir }) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const args = [
    'pack',
    ...batch.map((b) => b.spec),
    '--pack-destination',
    dir,
    '--json',
    '--ignore-scripts',
    '--cache',
    npmCache,
  ];
  const result = await runCommand('npm', args, { cwd: dir, env: stockEnv() });
  let output;
  try {
    output = JSON.parse(result.stdout);
  } catch {
    output = null;
  }
  if (result.code !== 0 || !Array.isArray(output)) {
    const error = output?.error ? `${output.error.code ?? ''} ${output.error.summary ?? ''}`.trim() : firstLine(result.stderr);
    return batch.map((b) => ({ ...b, error }));
  }
  const packed = new Set();
  for (const meta of output) {
    const path = join(dir, meta.filename);
    // Two specs of one batch can share npm's file name (@a/b-c and @a-b/c): the check catches it.
    if (!existsSync(path) || sha512Integrity(readFileSync(path)) !== meta.integrity) continue;
    renameSync(path, tarballFile(meta.name, meta.version));
    index.packed[`${meta.name}@${meta.version}`] = {
      name: meta.name,
      version: meta.version,
      integrity: meta.integrity,
      size: meta.size,
      unpackedSize: meta.unpackedSize,
      entryCount: meta.entryCount,
    };
    packed.add(`${meta.name}@${meta.version}`);
    const wantedLatest = batch.find((b) => b.item.name === meta.name && !b.item.version);
    if (wantedLatest) index.latest[meta.name] = meta.version;
  }
  const missed = batch.filter((b) => !packed.has(`${b.item.name}@${b.item.version ?? index.latest[b.item.name]}`));
  for (const b of batch) if (!missed.includes(b)) delete index.unpackable[b.spec];
  return missed;
}
