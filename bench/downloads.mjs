// Cost of download counting on the hottest read: wrk against cached tarballs of a small corpus on
// a real `gatehouse serve` (dist/), once with counting on (downloadFlushMs default) and once with
// it off (GATEHOUSE_DOWNLOAD_FLUSH_MS=0). Prints req/s and p99 for both, and the counted total.
// Usage: node bench/downloads.mjs [--packages N] [--duration S] [--connections C] [--keep]

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand, which } from './processes.mjs';
import { startGatehouse } from './registries/gatehouse.mjs';
import { packTarball, digests } from './tarball.mjs';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const PACKAGES = flag('packages', 20);
const DURATION = flag('duration', 10);
const CONNECTIONS = flag('connections', 16);
const KEEP = args.includes('--keep');
const log = (line) => console.error(line);

async function publish(registry, name) {
  const manifest = { name, version: '1.0.0', description: 'download bench fixture', license: 'MIT' };
  const tgz = packTarball({
    'package.json': JSON.stringify(manifest),
    'index.js': `module.exports = ${JSON.stringify(name)};\n`,
  });
  const filename = `${name}-1.0.0.tgz`;
  const body = {
    _id: name,
    name,
    'dist-tags': { latest: '1.0.0' },
    versions: {
      '1.0.0': { ...manifest, _id: `${name}@1.0.0`, dist: { ...digests(tgz), tarball: `${registry.url}/${name}/-/${filename}` } },
    },
    _attachments: { [filename]: { content_type: 'application/octet-stream', data: tgz.toString('base64'), length: tgz.length } },
  };
  const res = await fetch(`${registry.url}/${name}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${registry.token}` },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`publish ${name}: ${res.status} ${(await res.text()).slice(0, 200)}`);
  return `/${name}/-/${filename}`;
}

/** Until every tarball is answered by the fast path (no x-request-id), so wrk measures only it. */
async function warm(registry, paths) {
  for (const path of paths) {
    await (await fetch(`${registry.url}/${path.split('/')[1]}`)).arrayBuffer();
    for (let i = 0; i < 100; i++) {
      const res = await fetch(`${registry.url}${path}`);
      await res.arrayBuffer();
      if (!res.headers.has('x-request-id')) break;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

/** How many of the tarballs the fast path answers now: all of them, or the figures are not of it. */
async function fastPathShare(registry, paths) {
  let fast = 0;
  for (const path of paths) {
    const res = await fetch(`${registry.url}${path}`);
    await res.arrayBuffer();
    if (!res.headers.has('x-request-id')) fast++;
  }
  return `${fast}/${paths.length}`;
}

function toMs(value, unit) {
  return Number(value) * { us: 0.001, ms: 1, s: 1000 }[unit];
}

async function wrk(registry, script) {
  const out = await runCommand(
    which('wrk'),
    ['-t2', `-c${CONNECTIONS}`, `-d${DURATION}s`, '--latency', '-s', script, registry.url],
    { check: true },
  );
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out.stdout)?.[1]);
  const total = Number(/(\d+) requests in/.exec(out.stdout)?.[1]);
  const p99 = /^\s+99%\s+([\d.]+)(us|ms|s)\s*$/m.exec(out.stdout);
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(out.stdout)?.[1] ?? '0';
  return { rps, total, p99: p99 ? toMs(p99[1], p99[2]) : NaN, non2xx: Number(errors) };
}

async function counted(registry, names) {
  // Counts land on today (UTC); an explicit one-day range may include today.
  const today = new Date().toISOString().slice(0, 10);
  let sum = 0;
  for (const name of names) {
    const res = await fetch(`${registry.url}/-/downloads/point/${today}/${name}`);
    sum += (await res.json()).downloads;
  }
  return sum;
}

const repo = fileURLToPath(new URL('..', import.meta.url));
const workDir = await mkdtemp(join(tmpdir(), 'gatehouse-downloads-bench-'));
const names = Array.from({ length: PACKAGES }, (_, i) => `dl-bench-${i}`);
const results = {};
try {
  for (const mode of (process.env.BENCH_ORDER ?? 'on,off').split(',')) {
    // The server inherits this environment (bench/processes.mjs stockEnv).
    if (mode === 'off') process.env.GATEHOUSE_DOWNLOAD_FLUSH_MS = '0';
    else delete process.env.GATEHOUSE_DOWNLOAD_FLUSH_MS;
    const registry = await startGatehouse({ repo, workDir: join(workDir, mode), log, dataDir: join(workDir, mode, 'data') });
    try {
      log(`counting ${mode}: gatehouse at ${registry.url}; publishing ${PACKAGES} packages`);
      const paths = [];
      for (const name of names) paths.push(await publish(registry, name));
      // The event follower (eventPollMs, 1 s) drops each new package's packument once it sees the
      // publish event, and a tarball read does not refill it: warm only after that has happened.
      await new Promise((r) => setTimeout(r, 2500));
      await warm(registry, paths);
      const fastBefore = await fastPathShare(registry, paths);
      if (fastBefore !== `${paths.length}/${paths.length}`) throw new Error(`only ${fastBefore} tarballs on the fast path`);
      const script = join(workDir, `${mode}.lua`);
      await writeFile(
        script,
        `local paths = {${paths.map((p) => JSON.stringify(p)).join(',')}}\nlocal i = 0\nrequest = function()\n  i = i % #paths + 1\n  return wrk.format("GET", paths[i])\nend\n`,
      );
      log(`wrk ${DURATION}s, ${CONNECTIONS} connections, ${paths.length} cached tarballs in turn`);
      results[mode] = await wrk(registry, script);
      results[mode].fastAfter = await fastPathShare(registry, paths);
      if (mode === 'on') {
        // One default flush interval (10 s) and a margin: then every counted download is stored.
        await new Promise((r) => setTimeout(r, 12_000));
        results.on.counted = await counted(registry, names);
      }
    } finally {
      await registry.stop();
    }
  }
  const row = (label, r) =>
    `${label.padEnd(28)} ${r.rps.toFixed(0).padStart(8)} req/s   p99 ${r.p99.toFixed(2).padStart(8)} ms   non-2xx ${r.non2xx}   fast path after: ${r.fastAfter}`;
  console.log(row('cached tarball, counting on', results.on));
  console.log(row('cached tarball, counting off', results.off));
  console.log(`requests during the counted run: ${results.on.total} (wrk); counted by the registry: ${results.on.counted}`);
} finally {
  if (KEEP) log(`kept ${workDir}`);
  else await rm(workDir, { recursive: true, force: true });
}
