// Reads a V8 .cpuprofile (node --cpu-prof) into self time by function, for bench/profile-reads.mjs.

import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('..', import.meta.url));

/**
 * Self time per function (name, file:line), from a V8 .cpuprofile, counting only the samples taken
 * in [from, to] (µs of the monotonic clock, which V8's profiler and process.hrtime share on Linux).
 */
export function selfTimes(profile, from = -Infinity, to = Infinity, repo = REPO) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const counts = new Map();
  let at = profile.startTime;
  let all = 0;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i];
    if (at < from || at > to) return;
    all++;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  });
  const totals = new Map();
  for (const [id, n] of counts) {
    const f = byId.get(id).callFrame;
    const where = f.url ? `${f.url.replace(/^file:\/\//, '').replace(repo, '')}:${f.lineNumber + 1}` : '';
    const key = `${f.functionName || '(anonymous)'} ${where}`.trim();
    totals.set(key, (totals.get(key) ?? 0) + n);
  }
  return [...totals].sort((a, b) => b[1] - a[1]).map(([name, n]) => ({ name, share: n / all }));
}
