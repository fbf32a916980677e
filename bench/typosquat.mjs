// How long the typosquatting check of one new name takes against 100,000 protected names: the
// 10,000 real ones of data/npm-top-10000.tsv plus 90,000 synthetic names built from their words.
// Prints the index build time, its size and the per-check time (mean, p50, p99, max).
//   npm run build && node bench/typosquat.mjs [--names 100000] [--checks 20000]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { cpus, loadavg } from 'node:os';

const dist = process.env.GATEHOUSE_DIST ?? new URL('../dist/', import.meta.url).href;
const { NameIndex } = await import(new URL('domain/names/name-index.js', dist).href);
const { parseProtectedList } = await import(new URL('domain/names/protected-list.js', dist).href);

const { values } = parseArgs({
  options: { names: { type: 'string', default: '100000' }, checks: { type: 'string', default: '20000' } },
});
const total = Number(values.names);
const file = new URL('../data/npm-top-10000.tsv', import.meta.url).pathname;
const real = parseProtectedList(readFileSync(file, 'utf8'), file);

// A seeded generator, so two runs measure the same names.
let seed = 42;
const random = () => {
  // mulberry32
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = (list) => list[Math.floor(random() * list.length)];
const words = [...new Set(real.flatMap(({ name }) => name.replace(/^@/, '').split(/[-_./]/)).filter((w) => w.length > 1))];

const names = [...real];
const taken = new Set(real.map((n) => n.name));
while (names.length < total) {
  const parts = Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(words));
  const name = (random() < 0.1 ? `@${pick(words)}/` : '') + parts.join(pick(['-', '-', '-', '.', '_', '']));
  if (taken.has(name)) continue;
  taken.add(name);
  names.push({ name, downloads: Math.floor(random() * 100_000) });
}

const before = process.memoryUsage().heapUsed;
let started = performance.now();
const index = new NameIndex(names);
const buildMs = performance.now() - started;
const heapMb = (process.memoryUsage().heapUsed - before) / 1024 / 1024;

// Candidates as a publisher would send them: typos of real names, fresh names, real names.
const typo = (name) => {
  const at = 1 + Math.floor(random() * Math.max(1, name.length - 2));
  switch (Math.floor(random() * 4)) {
    case 0:
      return name.slice(0, at) + name.slice(at + 1);
    case 1:
      return name.slice(0, at) + name[at] + name.slice(at);
    case 2:
      return name.slice(0, at - 1) + name[at] + name[at - 1] + name.slice(at + 1);
    default:
      return `${name}-js`;
  }
};
const candidates = Array.from({ length: Number(values.checks) }, (_, i) =>
  i % 3 === 0 ? typo(pick(real).name) : i % 3 === 1 ? `${pick(words)}-${pick(words)}-${i}` : pick(names).name,
);
for (const c of candidates.slice(0, 2000)) index.similarTo(c); // warm up the JIT
const times = [];
let flagged = 0;
// CPU time of the whole loop too: on a shared, loaded machine wall-clock percentiles include
// time the process was not even running, the CPU time per check does not.
const cpuBefore = process.cpuUsage();
for (const c of candidates) {
  started = performance.now();
  if (index.similarTo(c)) flagged++;
  times.push(performance.now() - started);
}
const cpu = process.cpuUsage(cpuBefore);
const cpuPerCheckMs = (cpu.user + cpu.system) / 1000 / candidates.length;
times.sort((a, b) => a - b);
const q = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(4);
const mean = times.reduce((a, b) => a + b, 0) / times.length;
console.log(`protected names: ${index.size}; index built in ${buildMs.toFixed(0)} ms, about ${heapMb.toFixed(0)} MB of heap`);
console.log(`checks: ${times.length} (${flagged} flagged)`);
console.log(
  `per check (wall clock), ms: mean ${mean.toFixed(4)}  p50 ${q(0.5)}  p99 ${q(0.99)}  max ${times[times.length - 1].toFixed(4)}  (target: under 5 ms)`,
);
console.log(
  `CPU time per check: ${cpuPerCheckMs.toFixed(4)} ms (load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores while measuring)`,
);
