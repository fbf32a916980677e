// Reads while crafted READMEs are rendered: wrk against one cached packument on a real
// `gatehouse serve` (dist/), first alone, then while other loops ask for the package pages of
// crafted READMEs (each a first view, so each is rendered). Prints req/s and p99 for both.
// Usage: node bench/readme-under-load.mjs [--duration S] [--connections C] [--page-loops L] [--keep]

import { mkdtemp, rm } from 'node:fs/promises';
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
const DURATION = flag('duration', 10);
const CONNECTIONS = flag('connections', 16);
const PAGE_LOOPS = flag('page-loops', 4);
const KEEP = args.includes('--keep');
const log = (line) => console.error(line);

// Shapes on which marked 17 is superlinear or throws (test/web/readme.test.ts has the same).
const SHAPES = {
  'emphasis-9k': '**a '.repeat(2304),
  'emphasis-40k': '*a '.repeat(13_653),
  'nested-lists': `${'- '.repeat(5000)}x`,
  'unclosed-links': '[x]('.repeat(10_000),
};

function publishBody(baseUrl, name, readme) {
  const manifest = { name, version: '1.0.0', description: 'README load fixture', license: 'MIT' };
  const tgz = packTarball({ 'package.json': JSON.stringify(manifest), 'README.md': readme });
  const filename = `${name}-1.0.0.tgz`;
  return JSON.stringify({
    _id: name,
    name,
    'dist-tags': { latest: '1.0.0' },
    versions: {
      '1.0.0': {
        ...manifest,
        readme,
        _id: `${name}@1.0.0`,
        dist: { ...digests(tgz), tarball: `${baseUrl}/${name}/-/${filename}` },
      },
    },
    _attachments: { [filename]: { content_type: 'application/octet-stream', data: tgz.toString('base64'), length: tgz.length } },
  });
}

async function publish(registry, name, readme) {
  const res = await fetch(`${registry.url}/${name}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${registry.token}` },
    body: publishBody(registry.url, name, readme),
  });
  if (res.status !== 201) throw new Error(`publish ${name}: ${res.status} ${(await res.text()).slice(0, 200)}`);
}

function toMs(value, unit) {
  return Number(value) * { us: 0.001, ms: 1, s: 1000 }[unit];
}

async function wrk(url) {
  const out = await runCommand(which('wrk'), ['-t2', `-c${CONNECTIONS}`, `-d${DURATION}s`, '--latency', url], { check: true });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out.stdout)?.[1]);
  const p99 = /^\s+99%\s+([\d.]+)(us|ms|s)\s*$/m.exec(out.stdout);
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(out.stdout)?.[1] ?? '0';
  return { rps, p99: p99 ? toMs(p99[1], p99[2]) : NaN, non2xx: Number(errors) };
}

/** Loops asking for pages no one viewed yet, until `stop`; counts views and how they ended. */
function pageLoad(registry, names, stop) {
  const seen = { views: 0, rendered: 0, plain: 0, other: 0 };
  let next = 0;
  const loop = async () => {
    while (!stop.done && next < names.length) {
      const res = await fetch(`${registry.url}/package/${names[next++]}`, { headers: { accept: 'text/html' } });
      const body = await res.text();
      seen.views++;
      if (res.status !== 200) seen.other++;
      else if (body.includes('<pre class="readme-plain">')) seen.plain++;
      else seen.rendered++;
    }
  };
  return { seen, done: Promise.all(Array.from({ length: PAGE_LOOPS }, loop)) };
}

const repo = fileURLToPath(new URL('..', import.meta.url));
const workDir = await mkdtemp(join(tmpdir(), 'gatehouse-readme-bench-'));
const registry = await startGatehouse({ repo, workDir, log });
try {
  log(`gatehouse at ${registry.url}; publishing fixtures`);
  await publish(registry, 'plain-target', '# Target\n\nThe packument wrk reads.\n');
  const names = [];
  for (let i = 0; i < 60; i++) {
    const [shape, markdown] = Object.entries(SHAPES)[i % 4];
    const name = `crafted-${shape}-${i}`;
    await publish(registry, name, `# ${name}\n\n${markdown}`);
    names.push(name);
  }
  const target = `${registry.url}/plain-target`;
  if ((await fetch(target)).status !== 200) throw new Error('target packument does not answer');

  log(`wrk ${DURATION}s, ${CONNECTIONS} connections, packument alone`);
  const alone = await wrk(target);
  log(`wrk again, with ${PAGE_LOOPS} loops of first views of crafted READMEs`);
  const stop = { done: false };
  const pages = pageLoad(registry, names, stop);
  const loaded = await wrk(target);
  stop.done = true;
  await pages.done;

  const row = (label, r) =>
    `${label.padEnd(34)} ${r.rps.toFixed(0).padStart(8)} req/s   p99 ${r.p99.toFixed(2).padStart(8)} ms   non-2xx ${r.non2xx}`;
  console.log(row('cached packument, no README load', alone));
  console.log(row('cached packument, README load', loaded));
  const s = pages.seen;
  console.log(
    `README first views during the run: ${s.views} (${s.rendered} rendered, ${s.plain} plain text, ${s.other} other status)`,
  );
} finally {
  await registry.stop();
  if (KEEP) log(`kept ${workDir}`);
  else await rm(workDir, { recursive: true, force: true });
}
