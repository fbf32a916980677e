// The scan's verdict as a publish step, right after the tarball inspection whose scanner pass it
// reads: block refuses the publish; quarantine commits the version held (no tag, not served);
// warn publishes and tells the publisher. Every verdict is recorded in the commit's transaction,
// so the next version is diffed against this one; a held version's review is domain/quarantine's.
import { fail } from '../errors.js';
import { need } from '../packages/publish/context.js';
import type { PublishStep } from '../packages/publish/pipeline.js';
import type { ScanService } from './service.js';
import { SCAN_INSPECTOR, type FileScan } from './matcher.js';
import type { Finding } from './evaluate.js';
import { SYSTEM_ACTOR, type Actor } from '../access/actor.js';
import type { Principal } from '../access/principal.js';
import { holdAtPublish } from '../quarantine/hold.js';

export const SCAN_STEP = 'malware-scan';
/** How many findings the publisher is shown in one answer (all are recorded). */
const SHOWN = 5;

export function scanStep(service: ScanService): PublishStep {
  return {
    name: SCAN_STEP,
    async run(ctx) {
      const document = need(ctx.document, 'the document', SCAN_STEP);
      const checked = need(ctx.checked, 'the inspection', SCAN_STEP);
      const files = checked.summary.results.get(SCAN_INSPECTOR) as FileScan | undefined;
      if (!files) throw new Error('gatehouse: the malware scan step runs without its inspector');
      const outcome = await service.scan({
        name: ctx.name,
        version: document.version,
        integrity: document.integrity,
        tarball: document.tarball,
        packageJson: checked.summary.packageJson,
        files,
      });
      const shown = outcome.findings.filter((f) => f.severity === outcome.verdict || outcome.escalated).slice(0, SHOWN);
      if (outcome.verdict === 'block') {
        fail('PublishBlockedByScan', `The malware scan refused ${ctx.name}@${document.version}: ${said(shown)}`);
      }
      const publisher = ctx.request.principal.kind === 'user' ? ctx.request.principal.user.name : '';
      if (outcome.verdict === 'quarantine') {
        ctx.heldAs = 'quarantined';
        const why = outcome.escalated ? `${outcome.escalated}. ` : '';
        ctx.notices.push(
          `${ctx.name}@${document.version} is held for review by the registry administrators and cannot be installed until then. ${why}${said(shown)}`,
        );
        ctx.warnings.push(...shown.map((f) => f.message));
      } else if (outcome.verdict === 'warn') {
        ctx.warnings.push(...shown.map((f) => f.message));
        ctx.notices.push(`The malware scan warns about ${ctx.name}@${document.version}: ${said(shown)}`);
      }
      ctx.inCommit.push(async (tx, at) => {
        await tx.scanning.record({
          packageName: ctx.name,
          version: document.version,
          verdict: outcome.verdict,
          findings: outcome.findings,
          capabilities: outcome.capabilities,
          rulesVersion: service.rulesVersion,
          tag: document.tag,
          publisher,
          scannedAt: at,
        });
        if (outcome.verdict !== 'quarantine') return;
        await holdAtPublish(tx, {
          packageName: ctx.name,
          version: document.version,
          cause: 'scan',
          ref: `scan:${[...new Set(outcome.findings.map((f) => f.ruleId))].join(',')}`.slice(0, 300),
          tag: document.tag,
          publisher,
          actor: actorOf(ctx.request.principal),
          at,
        });
      });
    },
  };
}

function actorOf(principal: Principal): Actor {
  if (principal.kind === 'user') return { kind: 'user', userId: principal.user.id };
  if (principal.kind === 'trusted-publisher') return { kind: 'trusted-publisher', id: principal.publisherId };
  return SYSTEM_ACTOR;
}

/** The findings as the publisher reads them: each rule's message, with its id to look up. */
function said(findings: Finding[]): string {
  return findings.map((f) => `[${f.ruleId}] ${f.message} (in ${f.where})`).join(' ');
}
