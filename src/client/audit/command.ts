import { resolve } from 'node:path';
import { defineCommand } from '../command.js';
import { ClientError } from '../errors.js';
import type { ImportGraph } from '../reachability/index.js';
import { countBySeverity, failsOn, formatFindings, parseFailOn, type Finding } from './index.js';
import { auditLockfile, parseOmit, type LockfileAudit } from './lockfile-audit.js';

export const command = defineCommand({
  usage: `Usage: gatehouse audit [--json] [--fail-on low|moderate|high|critical] [--omit dev]
                       [--osv PATH [--offline]] [--registry URL] [--token TOKEN]
                       [--reachability [ENTRY-FILE…]]
Known vulnerabilities in the packages package-lock.json pins, from the registry's advisory endpoint
or OSV records (--osv: a .json file or a folder of them). Exits 1 when a finding is at least as
serious as --fail-on (default: any finding).
--reachability  follows imports from package.json main, exports, bin and the named files through
                the installed node_modules, and says whether each vulnerable package is imported.`,
  flags: {
    json: { type: 'boolean' },
    'fail-on': { type: 'string' },
    omit: { type: 'string', multiple: true },
    osv: { type: 'string' },
    offline: { type: 'boolean' },
    reachability: { type: 'boolean' },
    registry: { type: 'string' },
    token: { type: 'string' },
  },
  async run(values, positionals) {
    const failOn = parseFailOn(values['fail-on']) ?? 'low';
    if (values.offline && !values.osv)
      throw new ClientError('--offline needs --osv PATH: without a registry the advisories come from files.');
    if (positionals.length > 0 && !values.reachability)
      throw new ClientError(`Entry files (${positionals.join(' ')}) are read only with --reachability.`);
    const dir = process.cwd();
    const audit = await auditLockfile({
      dir,
      osv: values.osv === undefined ? undefined : resolve(values.osv),
      offline: values.offline,
      omit: parseOmit(values.omit),
      registry: values.registry,
      token: values.token,
      onRetry: (m) => process.stderr.write(`${m}\n`),
    });
    // the parser loads only when asked for
    const graph = values.reachability
      ? (await import('../reachability/index.js')).judgeReachability(dir, audit.findings, positionals)
      : undefined;
    if (values.json) process.stdout.write(`${JSON.stringify(auditJson(audit, graph, parseOmit(values.omit)), null, 2)}\n`);
    else {
      for (const problem of audit.source.problems) process.stderr.write(`skipped ${problem}\n`);
      process.stdout.write(formatFindings(audit.findings, { packages: audit.audited, source: audit.source.label }));
      if (graph) process.stdout.write(formatGraph(graph, audit.findings));
    }
    return failsOn(audit.findings, failOn) ? 1 : 0;
  },
});

/** The documented --json shape (docs/client-audit.md). */
export function auditJson(audit: LockfileAudit, graph: ImportGraph | undefined, omit: string[]) {
  return {
    auditVersion: 1,
    source: { kind: audit.source.kind, location: audit.source.label },
    lockfile: audit.tree.lock.file,
    omit,
    audited: audit.audited,
    counts: countBySeverity(audit.findings),
    vulnerabilities: audit.findings,
    problems: audit.source.problems,
    ...(graph
      ? {
          reachability: {
            entries: graph.entries,
            filesReached: graph.parents.size,
            reachable: audit.findings.filter((f) => f.reachability?.verdict === 'reachable').length,
            assumptions: graph.assumptions,
          },
        }
      : {}),
  };
}

function formatGraph(graph: ImportGraph, findings: Finding[]): string {
  const reachable = findings.filter((f) => f.reachability?.verdict === 'reachable').length;
  const lines = [
    `reachability: ${graph.parents.size} files reached from ${graph.entries.join(', ')}; ${reachable} of ${findings.length} vulnerable packages imported`,
    'assumed:',
    ...graph.assumptions.map((a) => `  - ${a}`),
  ];
  return `${lines.join('\n')}\n`;
}
