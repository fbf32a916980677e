import { defineCommand } from '../command.js';
import { failsOn, parseFailOn } from '../audit/index.js';
import { parseOmit } from '../audit/lockfile-audit.js';
import { fix, type FixResult } from './index.js';

export const command = defineCommand({
  usage: `Usage: gatehouse fix [--force] [--dry-run] [--json] [--fail-on low|moderate|high|critical] [--omit dev]
                     [--osv PATH] [--registry URL] [--token TOKEN]
Moves each vulnerable package to the lowest version no known advisory covers, never downgrading:
inside the ranges its dependents declare, only package-lock.json changes; outside them a range
change in package.json is proposed, and --force applies it. Then reinstalls and audits again.
Exits 1 while something at least as serious as --fail-on (default: anything) is still vulnerable.`,
  flags: {
    force: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    json: { type: 'boolean' },
    'fail-on': { type: 'string' },
    omit: { type: 'string', multiple: true },
    osv: { type: 'string' },
    registry: { type: 'string' },
    token: { type: 'string' },
  },
  async run(values) {
    const failOn = parseFailOn(values['fail-on']) ?? 'low';
    const result = await fix({
      dir: process.cwd(),
      osv: values.osv,
      omit: parseOmit(values.omit),
      registry: values.registry,
      token: values.token,
      force: values.force,
      dryRun: values['dry-run'],
      onRetry: (m) => process.stderr.write(`${m}\n`),
    });
    process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : formatFix(result, values['dry-run'] === true));
    return failsOn(result.remaining, failOn) ? 1 : 0;
  },
});

export function formatFix(r: FixResult, dryRun: boolean): string {
  const lines: string[] = [];
  const will = dryRun ? 'would change' : 'changed';
  if (r.changes.length > 0) {
    lines.push(`package-lock.json ${will} (inside the declared ranges):`);
    for (const c of r.changes) lines.push(`  ${c.name} ${c.from} -> ${c.to}  (${c.path}; ${c.dependents.join('; ')})`);
  }
  if (r.proposals.length > 0) {
    lines.push(
      r.applied
        ? 'package.json changed (--force; outside the declared ranges):'
        : `package.json change proposed (outside the declared ranges${dryRun ? '' : '; apply with --force'}):`,
    );
    for (const p of r.proposals)
      lines.push(
        `  ${p.field}["${p.key}"]: ${p.before === undefined ? '(none)' : `"${p.before}"`} -> "${p.after}"  (${p.name} ${p.from} -> ${p.to}: ${p.why})`,
      );
  }
  for (const u of r.unfixable) lines.push(`no fix for ${u.name} ${u.version} (${u.path}): ${u.why}`);
  if (r.changes.length === 0 && r.proposals.length === 0 && r.unfixable.length === 0) lines.push('Nothing to fix.');
  if (r.reinstalled) lines.push(`Reinstalled with ${r.reinstalled}.`);
  lines.push(
    r.remaining.length === 0
      ? `${dryRun ? 'Audit' : 'Audit after the fix'}: no known vulnerabilities.`
      : `${dryRun ? 'Vulnerable now' : 'Still vulnerable'}: ${r.remaining.map((f) => `${f.name} ${f.version} (${f.severity})`).join(', ')}`,
  );
  return `${lines.join('\n')}\n`;
}
