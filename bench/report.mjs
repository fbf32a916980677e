// Turns the measurements into the printed table and the list of targets (shared/DESIGN.md,
// "Targets") with pass/miss markers, and saves them. It formats what it is given and measures nothing.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { READ_CASES } from './load.mjs';

const ORDER = ['gatehouse', 'verdaccio', 'nginx', 'bare'];
// Servers of a copy of the corpus: no accounts, no publish, no npm ci.
const COPIES = new Set(['nginx', 'bare']);
// Gatehouse's fast path against one bare Node process answering the same bytes from memory.
const BARE_SHARE = 0.9;
// A token read must cost "about the same" as an anonymous one: within 10 %.
const TOKEN_PARITY = 0.9;
// Share of CPU time other processes may take (measured just before) before figures are flagged.
export const BUSY_SHARE = 0.15;

const num = (n, digits = 0) =>
  n == null || Number.isNaN(n)
    ? '-'
    : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const mark = (ok) => (ok == null ? 'n/a' : ok ? 'pass' : 'MISS');
const ratio = (a, b) => (a == null || b == null || b === 0 ? null : a / b);
// Ratios are shown rounded down, so that 0.4996 reads 0.49 next to its MISS, not 0.50.
const times = (r) => (r == null ? '-' : `${num(Math.floor(r * 100) / 100, 2)}×`);
const pad = (text, width) => String(text).padEnd(width);

function rps(registry, caseId) {
  const r = registry?.reads?.[caseId];
  return r && !r.skipped ? r.rps : null;
}

function cell(registry, caseId) {
  if (!registry) return '';
  if (registry.error) return 'unavailable';
  const r = registry.reads?.[caseId];
  if (!r) return '-';
  if (r.skipped) return 'n/a';
  return `${num(r.rps)} (${num(r.p50, 2)}/${num(r.p99, 2)})`;
}

/** results.registries: { name: { label, error?, reads?, publish?, npmCi?, seed? } } */
export function report(results) {
  const regs = results.registries;
  const names = ORDER.filter((n) => regs[n]);
  const g = regs.gatehouse;
  const v = regs.verdaccio;
  const x = regs.nginx;
  const lines = [];
  const targets = [];
  const target = (what, ok, detail) => targets.push({ what, ok, detail });

  const b = regs.bare;
  const W = 26;
  const ratios = [v && ['G/V', 7], x && ['G/nginx', 9], b && ['G/bare', 8]].filter(Boolean);
  // A run given --cases measured only some: the rest get no row.
  const measured = READ_CASES.filter((c) => names.some((n) => regs[n].reads?.[c.id]));
  lines.push('Reads: req/s (p50/p99 latency in ms)');
  lines.push(
    pad('case', 28) +
      names.map((n) => pad(regs[n].label, W)).join('') +
      ratios.map(([t, w]) => pad(t, w)).join('') +
      `targets (${[v && '≥5× V', x && '≥0.5× nginx', b && `≥${BARE_SHARE}× bare`].filter(Boolean).join(', ')})`,
  );
  for (const c of measured) {
    // nginx and the bare server have no accounts: they get the token too and ignore it; a result from
    // before they did falls back to their anonymous read.
    const anonId = c.id.replace('-token', '');
    const gv = ratio(rps(g, c.id), rps(v, c.id));
    const gx = ratio(rps(g, c.id), rps(x, c.id) ?? rps(x, anonId));
    const gb = ratio(rps(g, c.id), rps(b, c.id) ?? rps(b, anonId));
    const marks = [];
    const check = (present, what, r, min) => {
      if (!present) return;
      const ok = r == null ? null : r >= min;
      target(`${c.label}: ${what}`, ok, r);
      marks.push(mark(ok));
    };
    // A 404 or a 304 is held to the one-process ceiling only: nginx and Verdaccio answer them their own way.
    if (c.kind !== 'missing' && c.kind !== 'revalidate') {
      check(v, '≥5× Verdaccio', gv, 5);
      check(x, '≥0.5× nginx', gx, 0.5);
    }
    check(b, `≥${BARE_SHARE}× bare node:http`, gb, BARE_SHARE);
    const star = c.token ? '*' : '';
    const shown = {
      'G/V': times(gv),
      'G/nginx': `${times(gx)}${gx != null ? star : ''}`,
      'G/bare': `${times(gb)}${gb != null ? star : ''}`,
    };
    lines.push(
      pad(c.label, 28) +
        names.map((n) => pad(cell(regs[n], c.id), W)).join('') +
        ratios.map(([t, w]) => pad(shown[t], w)).join('') +
        marks.join(', '),
    );
  }
  lines.push(
    '  * nginx and bare node:http are sent the same token, which they ignore (older runs: compared with their anonymous read)',
  );
  if (results.busyBeforeReads > BUSY_SHARE) {
    lines.push(`  warning: other processes kept the CPU ${num(results.busyBeforeReads * 100)} % busy just before the reads`);
  }
  for (const c of measured) {
    const note = names.map((n) => regs[n].reads?.[c.id]?.note && `${regs[n].label}: ${regs[n].reads[c.id].note}`).filter(Boolean);
    if (note.length) lines.push(`  note, ${c.label}: ${note.join('; ')}`);
  }

  const cpu = (reg, id) => reg?.reads?.[id]?.cpuUs ?? null;
  if (g && b && READ_CASES.some((c) => cpu(g, c.id) != null)) {
    lines.push('', 'Server CPU time per response, µs (wrk cannot hide a busy machine here: this barely moves with it)');
    lines.push(pad('case', 28) + pad(g.label, W) + pad(b.label, W) + 'bare/G (1.00 = as cheap as bare node)');
    for (const c of measured) {
      const anonId = c.id.replace('-token', '');
      const bare = cpu(b, c.id) ?? cpu(b, anonId);
      lines.push(pad(c.label, 28) + pad(num(cpu(g, c.id), 1), W) + pad(num(bare, 1), W) + times(ratio(bare, cpu(g, c.id))));
    }
  }

  lines.push('', `Token vs anonymous (req/s with a token ÷ without; target for Gatehouse ≥ ${TOKEN_PARITY})`);
  for (const n of names.filter((n) => !COPIES.has(n))) {
    const parts = ['full', 'abbreviated', 'version', 'tarball', 'revalidate', 'missing'].map((id) => {
      const q = ratio(rps(regs[n], `${id}-token`), rps(regs[n], id));
      if (n === 'gatehouse') target(`${id} with a token ≈ without (≥ ${TOKEN_PARITY})`, q == null ? null : q >= TOKEN_PARITY, q);
      return `${id} ${times(q)}${n === 'gatehouse' ? ` ${mark(q == null ? null : q >= TOKEN_PARITY)}` : ''}`;
    });
    lines.push(`  ${pad(regs[n].label, 24)}${parts.join('   ')}`);
  }

  lines.push('', 'Publish: sequential HTTP PUT of a new small version (target: Gatehouse p50 < 50 ms)');
  for (const n of names.filter((n) => !COPIES.has(n))) {
    const p = regs[n].publish;
    const seedText = regs[n].seed ? `; seeding with npm publish: ${num(regs[n].seed.perSecond, 1)} publishes/s` : '';
    if (!p) {
      lines.push(`  ${pad(regs[n].label, 24)}${regs[n].error ? 'unavailable' : '-'}`);
      continue;
    }
    const failed = p.failures ? `, ${p.failures} failed (${p.firstFailure})` : '';
    lines.push(
      `  ${pad(regs[n].label, 24)}p50 ${num(p.p50, 1)} ms, p95 ${num(p.p95, 1)} ms over ${p.ok} publishes${failed}${seedText}`,
    );
  }
  const gp = g?.publish?.p50;
  targets.push({ what: 'publish p50 < 50 ms', ok: gp == null ? null : gp < 50, detail: gp, unit: 'ms' });

  lines.push(
    '',
    'npm ci of the app from a cold client cache, with a token (median wall time; target: Gatehouse faster than Verdaccio)',
  );
  for (const n of names.filter((n) => !COPIES.has(n))) {
    const ci = regs[n].npmCi;
    lines.push(
      `  ${pad(regs[n].label, 24)}${ci ? `${num(ci.median, 2)} s (runs ${ci.runs.map((s) => num(s, 2)).join(', ')}; ${ci.packages} packages)` : regs[n].error ? 'unavailable' : '-'}`,
    );
  }
  const ciRatio = ratio(g?.npmCi?.median, v?.npmCi?.median);
  target('npm ci faster than Verdaccio', ciRatio == null ? null : ciRatio < 1, ciRatio);
  if (ciRatio != null) lines.push(`  Gatehouse/Verdaccio ${times(ciRatio)}`);

  lines.push('', 'Targets');
  for (const t of targets)
    lines.push(
      `  ${pad(mark(t.ok), 6)}${t.what}${t.detail == null ? '' : ` (${t.unit === 'ms' ? `${num(t.detail, 1)} ms` : times(t.detail)})`}`,
    );
  for (const n of names) if (regs[n].error) lines.push(`  ${regs[n].label} unavailable: ${regs[n].error.split('\n')[0]}`);
  return { text: lines.join('\n'), targets };
}

/** Saves a run as <repo>/.bench/<kind>-<startedAt>.json (the folder is gitignored); returns the path. */
export async function saveResults(repo, kind, results) {
  const outDir = join(repo, '.bench');
  await mkdir(outDir, { recursive: true });
  const file = join(outDir, `${kind}-${results.startedAt.replace(/[:.]/g, '-')}.json`);
  await writeFile(file, JSON.stringify(results, null, 2) + '\n');
  return file;
}
