// `node bench/private-reads.mjs [--no-pin] [--duration 10] [--rounds 3]`: a private package read with
// a granted (non-admin) reader's token against the same read of a public package, by the same
// token, on the fast path. Target (issue 8): the private read within 10 % of the public one.
// Gatehouse from dist/ on 127.0.0.1; wrk as in load.mjs. Prints one JSON line and a summary.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { startGatehouse } from './registries/gatehouse.mjs';
import { npm, writeNpmrc } from './npm-client.mjs';
import { runWrk } from './load.mjs';
import { legacyLogin, packumentPath } from './wire.mjs';
import { pinning, pinProcessTree } from './processes.mjs';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const log = (line) => console.error(line);
const { values } = parseArgs({
  options: {
    'no-pin': { type: 'boolean', default: false },
    duration: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '32' },
  },
});

async function call(registry, token, method, path, body) {
  const res = await fetch(`${registry.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
}

/** Publishes @bench/<name> with stock npm as the registry's admin. */
async function publish(registry, workDir, name, access) {
  const dir = join(workDir, name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: `@bench/${name}`, version: '1.0.0', license: 'MIT' }));
  await writeFile(join(dir, 'index.js'), 'module.exports = 1;\n');
  const userconfig = await writeNpmrc(join(workDir, 'admin.npmrc'), registry);
  await npm(['publish', '--access', access], { userconfig, cache: join(workDir, 'cache'), cwd: dir });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const workDir = await mkdtemp(join(os.tmpdir(), 'gatehouse-bench-private-'));
const registry = await startGatehouse({ repo: REPO, workDir, log });
try {
  const pin = values['no-pin'] ? null : pinning();
  if (pin) await pinProcessTree(registry.pid, pin.server, pin.taskset);
  await publish(registry, workDir, 'open', 'public');
  await publish(registry, workDir, 'closed', 'restricted');
  // A plain member with a read-only team grant: the reader set is asked, not the admin shortcut.
  const reader = await legacyLogin(registry.url, {
    name: 'reader',
    password: 'reader-bench-pass-1',
    email: 'reader@example.com',
  });
  await call(registry, registry.token, 'PUT', '/-/org/bench/user', { user: 'reader', role: 'developer' });
  await call(registry, registry.token, 'PUT', '/-/org/bench/team', { name: 'readers' });
  await call(registry, registry.token, 'PUT', '/-/team/bench/readers/user', { user: 'reader' });
  await call(registry, registry.token, 'PUT', '/-/team/bench/readers/package', {
    package: '@bench/closed',
    permissions: 'read-only',
  });
  const headers = { Authorization: `Bearer ${reader}`, Accept: 'application/json' };
  for (const name of ['@bench/open', '@bench/closed']) {
    const res = await fetch(`${registry.url}${packumentPath(name)}`, { headers });
    if (res.status !== 200) throw new Error(`${name} answered ${res.status} to the reader`);
    // The second read must be the fast path's (it adds no request id), or this measures the app.
    const again = await fetch(`${registry.url}${packumentPath(name)}`, { headers });
    if (again.headers.get('x-request-id') !== null) throw new Error(`${name} is not answered from memory`);
    await again.arrayBuffer();
  }
  const options = { url: registry.url, connections: Number(values.connections), headers, expectStatus: 200, pin };
  const rps = { public: [], private: [] };
  for (let round = 0; round < Number(values.rounds); round++) {
    const pair = [
      ['public', '@bench/open'],
      ['private', '@bench/closed'],
    ];
    // Alternate which goes first: the second of a pair ran consistently faster here (warmer JIT and caches).
    for (const [kind, name] of round % 2 === 0 ? pair : [...pair].reverse()) {
      await runWrk({ ...options, duration: 2, paths: [packumentPath(name)] });
      const result = await runWrk({ ...options, duration: Number(values.duration), paths: [packumentPath(name)] });
      if (result.statuses.other > 0 || result.errors > 0) throw new Error(`${kind}: ${result.statuses.other} unexpected answers`);
      rps[kind].push(result.rps);
      log(`round ${round + 1}: ${kind} ${result.rps.toFixed(0)} req/s, p99 ${result.p99.toFixed(2)} ms`);
    }
  }
  // Each round measures both back to back, so its ratio sees the same machine load; on a shared
  // machine the median of the rounds' ratios is steadier than a ratio of medians taken apart.
  const ratios = rps.private.map((p, i) => p / rps.public[i]);
  const summary = { public: median(rps.public), private: median(rps.private), pinned: pin !== null, ratios };
  summary.ratio = median(ratios);
  console.log(JSON.stringify(summary));
  log(`private/public: ${(summary.ratio * 100).toFixed(1)} % (target ≥ 90 %)`);
} finally {
  await registry.stop();
  await rm(workDir, { recursive: true, force: true });
}
