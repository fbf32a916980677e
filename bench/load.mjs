// Read throughput and latency: in each case a fixed number of connections rotate over many URLs
// (every packument or every tarball of the corpus) for a fixed time, after a warm-up. Each case is
// probed once first, so a registry that answers the wrong thing is reported, not timed. The load
// comes from wrk (C, one thread): a Node load generator tops out near a Node server's speed and
// would hide the difference between Gatehouse and the bare Node ceiling.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand, which } from './processes.mjs';
import { eachLimited } from './mirror.mjs';
import { CORGI_ACCEPT, packumentPath } from './wire.mjs';

const WORKER = fileURLToPath(new URL('./load-worker.mjs', import.meta.url));
const WRK_SCRIPT = fileURLToPath(new URL('./wrk-rotate.lua', import.meta.url));

export const READ_CASES = [
  { id: 'full', label: 'packument, full', kind: 'packument', accept: 'application/json' },
  { id: 'abbreviated', label: 'packument, abbreviated', kind: 'packument', accept: CORGI_ACCEPT },
  { id: 'version', label: 'version document', kind: 'version', accept: 'application/json' },
  { id: 'tarball', label: 'tarball', kind: 'tarball', accept: '*/*' },
  { id: 'revalidate', label: '304 (packument)', kind: 'revalidate', accept: CORGI_ACCEPT, status: 304 },
  { id: 'missing', label: '404 (missing package)', kind: 'missing', accept: 'application/json', status: 404 },
  { id: 'full-token', label: 'packument, full + token', kind: 'packument', accept: 'application/json', token: true },
  { id: 'abbreviated-token', label: 'abbreviated + token', kind: 'packument', accept: CORGI_ACCEPT, token: true },
  { id: 'version-token', label: 'version document + token', kind: 'version', accept: 'application/json', token: true },
  { id: 'tarball-token', label: 'tarball + token', kind: 'tarball', accept: '*/*', token: true },
  { id: 'revalidate-token', label: '304 + token', kind: 'revalidate', accept: CORGI_ACCEPT, status: 304, token: true },
  { id: 'missing-token', label: '404 + token', kind: 'missing', accept: 'application/json', status: 404, token: true },
];

/** Deterministic shuffle, so neighbouring requests of a connection are different documents. */
export function shuffled(list) {
  const copy = [...list];
  let seed = 42;
  for (let i = copy.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const j = seed % (i + 1);
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

/** Every URL of a case; a 304 case's come with the ETag to send (`path\tetag`, as wrk-rotate.lua reads them). */
export async function pathsFor(kind, targets, url, accept) {
  if (kind === 'packument') return targets.names.map(packumentPath);
  if (kind === 'version') return targets.versions;
  if (kind === 'tarball') return targets.tarballs;
  if (kind === 'revalidate') {
    const paths = [];
    await eachLimited(targets.names.map(packumentPath), 8, async (path) => {
      const res = await fetch(url + path, { headers: { accept } });
      await res.arrayBuffer();
      if (res.headers.get('etag')) paths.push(`${path}\t${res.headers.get('etag')}`);
    });
    return paths.sort();
  }
  return targets.names.map((_, i) => `/bench-missing-${i}`);
}

/** A case's URL line as a request: the path, and the If-None-Match it carries. */
function requestOf(line, headers) {
  const [path, etag] = line.split('\t');
  return { method: 'GET', path, headers: etag ? { ...headers, 'if-none-match': etag } : headers };
}

async function probe(url, request, expectStatus) {
  const res = await fetch(url + request.path, { headers: request.headers });
  const body = Buffer.from(await res.arrayBuffer());
  return {
    ok: res.status === expectStatus,
    status: res.status,
    contentType: res.headers.get('content-type'),
    bytes: body.length,
  };
}

export function runWorker(job) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WORKER], { stdio: ['pipe', 'pipe', 'inherit'] });
    const out = [];
    child.stdout.on('data', (c) => out.push(c));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`load generator exited ${code}`));
      resolve(JSON.parse(Buffer.concat(out).toString()));
    });
    child.stdin.end(JSON.stringify(job));
  });
}

/**
 * One read case against one registry. registry: { url, token?, label }; targets: { names, tarballs, versions }
 * (paths on this registry). Returns the figures, or { skipped: reason }.
 */
export async function measureReadCase(registry, targets, c, options, log) {
  const tag = `  ${registry.label.padEnd(18)} ${c.label.padEnd(24)}`;
  if (c.token && !registry.token) return { skipped: 'no token (anonymous-only server)' };
  const headers = { accept: c.accept };
  if (c.token) headers.authorization = `Bearer ${registry.token}`;
  const lines = shuffled(await pathsFor(c.kind, targets, registry.url, c.accept));
  if (lines.length === 0) return { skipped: 'no URLs for this case' };
  const requests = lines.map((line) => requestOf(line, headers));
  const expectStatus = c.status ?? 200;

  const check = await probe(registry.url, requests[0], expectStatus);
  if (!check.ok) {
    const skipped = `probe ${requests[0].path} answered ${check.status}, expected ${expectStatus}`;
    log(`${tag} ${skipped}`);
    return { skipped };
  }
  // Every URL once before the warm-up, so no case pays for filling the server's caches in its timed
  // part: a short warm-up need not reach the whole list, and whichever case came first would be
  // measured with cold caches.
  await eachLimited(requests, 8, async (r) => {
    await (await fetch(registry.url + r.path, { headers: r.headers })).arrayBuffer();
  });
  const note =
    c.id === 'abbreviated' && !/install-v1/.test(check.contentType ?? '') ? `served as ${check.contentType}` : undefined;
  const job = { url: registry.url, connections: options.connections, paths: lines, headers, expectStatus, pin: options.pin };
  if (options.warmup > 0) await runWrk({ ...job, duration: options.warmup });
  const cpuBefore = cpuMs(registry.pid);
  const measured = await runWrk({ ...job, duration: options.duration });
  const cpuAfter = cpuMs(registry.pid);
  // The server's own CPU time per response: unlike req/s, other load on the machine barely moves it.
  const cpuUs = cpuBefore == null || cpuAfter == null ? null : ((cpuAfter - cpuBefore) * 1000) / (measured.responses || 1);
  const result = { ...measured, cpuUs };
  const wrong = result.responses - result.expected + result.errors + result.timeouts;
  log(
    `${tag} ${fmt(result.rps, 0).padStart(7)} req/s  p50 ${fmt(result.p50, 2)} ms  p99 ${fmt(result.p99, 2)} ms` +
      (cpuUs == null ? '' : `  cpu ${fmt(cpuUs, 1)} µs/req`) +
      (wrong ? `  (${wrong} unexpected: ${JSON.stringify(result.statuses)}, errors ${result.errors})` : '') +
      (note ? `  [${note}]` : ''),
  );
  return { ...result, urls: requests.length, probeBytes: check.bytes, note };
}

/** User + system CPU time of a process so far, in ms (Linux /proc; clock ticks of 10 ms). */
export function cpuMs(pid) {
  if (!pid) return null;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

let listCount = 0;

/**
 * One wrk run: `connections` keep-alive connections rotating over `paths` for `duration` seconds.
 * wrk counts a status of 400 or more as a "status error", which for the 404 case is the expected one.
 */
export async function runWrk({ url, connections, duration, paths, headers, expectStatus, pin }) {
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(url)) throw new Error(`refusing non-loopback target ${url}`);
  const wrk = which('wrk');
  if (!wrk) throw new Error('wrk is not installed (apt-get install -y wrk)');
  const list = join(tmpdir(), `gatehouse-bench-urls-${process.pid}-${listCount++}.txt`);
  await writeFile(list, paths.join('\n') + '\n');
  const headerArgs = Object.entries(headers).flat();
  const args = [
    '-t1',
    `-c${connections}`,
    `-d${duration}s`,
    '--timeout',
    '10s',
    '-s',
    WRK_SCRIPT,
    url,
    '--',
    list,
    ...headerArgs,
  ];
  // Pinned, wrk keeps off the server's core (processes.mjs, pinning).
  const run = await (pin ? runCommand(pin.taskset, ['-c', pin.load, wrk, ...args]) : runCommand(wrk, args)).finally(() =>
    rm(list, { force: true }),
  );
  const line = run.stdout.split('\n').find((l) => l.startsWith('WRK-RESULT '));
  if (run.code !== 0 || !line) throw new Error(`wrk exited ${run.code}: ${(run.stderr || run.stdout).trim().slice(0, 300)}`);
  const r = JSON.parse(line.slice('WRK-RESULT '.length));
  const seconds = r.us / 1e6;
  const bad = expectStatus >= 400 ? r.requests - r.status : r.status;
  const expected = r.requests - bad;
  return {
    rps: expected / seconds,
    p50: r.p50 / 1000,
    p99: r.p99 / 1000,
    mean: r.mean / 1000,
    responses: r.requests,
    expected,
    statuses: { [expectStatus]: expected, other: bad },
    errors: r.connect + r.read + r.write,
    timeouts: r.timeout,
    bytesPerSec: r.bytes / seconds,
    seconds,
  };
}

function fmt(n, digits) {
  return n == null ? '-' : n.toFixed(digits);
}
