// The check's report: a Markdown summary for people (stdout and .compat/report-ENGINE.md) and the
// same facts as JSON (.compat/report-ENGINE.json) for tools and for comparing runs.

import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { STATE, writeJson } from './files.mjs';

const MiB = 1024 * 1024;
const share = (part, whole) => (whole === 0 ? '0.0' : ((100 * part) / whole).toFixed(1));

export function buildReport({ meta, results, unpackable, index }) {
  const refused = results.filter((r) => r.outcome === 'refused');
  const notSent = results.filter((r) => r.outcome === 'not-sent');
  const accepted = results.filter((r) => r.outcome === 'accepted');
  const verifyFailures = accepted.filter((r) => r.verifyError);
  const byCode = {};
  for (const r of refused) byCode[r.code] = (byCode[r.code] ?? 0) + 1;
  const largest = (field) =>
    Object.values(index.packed)
      .filter((p) => results.some((r) => r.name === p.name && r.version === p.version))
      .sort((a, b) => b[field] - a[field])
      .slice(0, 5)
      .map((p) => ({ id: `${p.name}@${p.version}`, [field]: p[field] }));
  return {
    ...meta,
    totals: {
      tested: results.length,
      accepted: accepted.length,
      acceptedAndVerified: accepted.length - verifyFailures.length,
      refused: refused.length,
      refusedByLimits: refused.filter((r) => r.limit).length,
      notSent: notSent.length,
      verifyFailed: verifyFailures.length,
      unpackable: unpackable.length,
      shareAccepted: Number(share(accepted.length - verifyFailures.length, results.length)),
    },
    byCode,
    refusals: refused.map(pick),
    notSent: notSent.map((r) => ({ id: r.id, set: r.set, error: r.error })),
    verifyFailures: verifyFailures.map((r) => ({ id: r.id, set: r.set, error: r.verifyError })),
    unpackable,
    largest: { size: largest('size'), unpackedSize: largest('unpackedSize'), entryCount: largest('entryCount') },
  };
}

function pick(r) {
  return { id: r.id, set: r.set, status: r.status, code: r.code, error: r.error, ...(r.limit ? { limit: r.limit } : {}) };
}

export function markdown(report) {
  const t = report.totals;
  const lines = [
    `# Compatibility check: ${t.shareAccepted} % accepted`,
    '',
    `Gatehouse ${report.gatehouse.commit}${report.gatehouse.dirty ? ' (with uncommitted changes)' : ''} on ${report.engine}, ` +
      `npm ${report.npmVersion}, ${report.finishedAt}. Set: top ${report.options.top} at latest + ${report.options.older} older ` +
      `(published ${report.options.olderWindow}).`,
    '',
    '| | versions |',
    '|---|---:|',
    `| tested (packed and sent) | ${t.tested} |`,
    `| accepted, tarball and packument verified | ${t.acceptedAndVerified} |`,
    `| accepted but read-back differs | ${t.verifyFailed} |`,
    `| refused by the server | ${t.refused} |`,
    `| … of which by a size limit | ${t.refusedByLimits} |`,
    `| not sent (npm itself would fail first) | ${t.notSent} |`,
    `| could not be packed (not counted) | ${t.unpackable} |`,
    '',
  ];
  const limited = report.refusals.filter((r) => r.limit);
  if (limited.length) {
    lines.push('## Refused by a size limit (default limits)', '');
    for (const r of limited) {
      const shown = (n) => (/Bytes|size/.test(r.limit.setting) ? fmt(n) : String(n));
      lines.push(`- ${r.id} (${r.set}): ${r.code}, ${r.limit.setting} ${shown(r.limit.figure)} > limit ${shown(r.limit.limit)}`);
    }
    lines.push('');
  }
  const codes = Object.entries(report.byCode).sort((a, b) => b[1] - a[1]);
  if (codes.length) lines.push('## Refusals by code', '');
  for (const [code, count] of codes) {
    lines.push(`### ${code} (${count})`, '');
    // One code can have several causes: group by the message with its quoted parts blanked out.
    const byReason = new Map();
    for (const r of report.refusals.filter((x) => x.code === code)) {
      const reason = r.error.replace(/"[^"]*"/g, '"…"');
      byReason.set(reason, [...(byReason.get(reason) ?? []), r]);
    }
    for (const [reason, list] of [...byReason].sort((a, b) => b[1].length - a[1].length)) {
      lines.push(`${list.length} × ${reason}`, '');
      for (const r of list) lines.push(`- ${r.id} (${r.set}): HTTP ${r.status}: ${r.error}`);
      lines.push('');
    }
  }
  for (const [title, list] of [
    ['Accepted but read-back differs', report.verifyFailures],
    ['Not sent: npm would fail before sending', report.notSent],
  ]) {
    if (!list.length) continue;
    lines.push(`## ${title}`, '', ...list.map((r) => `- ${r.id} (${r.set}): ${r.error}`), '');
  }
  if (report.unpackable.length) {
    lines.push('## Could not be packed (not counted)', '', ...report.unpackable.map((u) => `- ${u.spec}: ${u.error}`), '');
  }
  lines.push('## Largest tested tarballs', '');
  for (const [field, rows] of Object.entries(report.largest)) {
    lines.push(`- ${field}: ${rows.map((r) => `${r.id} ${field === 'entryCount' ? r[field] : fmt(r[field])}`).join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}

function fmt(bytes) {
  return bytes >= MiB ? `${(bytes / MiB).toFixed(1)} MiB` : `${bytes} bytes`;
}

export function writeReport(report, text) {
  writeJson(join(STATE, `report-${report.engine}.json`), report);
  writeFileSync(join(STATE, `report-${report.engine}.md`), text);
}
