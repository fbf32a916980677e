// Running the inspectors over one read of a tarball: offering each entry within the time budget,
// telling an inspector's bug from a refusal, and turning what they found into the summary.
// tarball.ts decides what is offered; this file never looks at the archive itself.
import { catalogError, GatehouseError } from '../errors.js';
import type { TarballSummary } from './tarball.js';
import {
  fileStatsInspector,
  installHookInspector,
  packageJsonInspector,
  readmeInspector,
  shrinkwrapInspector,
  type InspectedEntry,
  type InspectorFactory,
  type TarballInspector,
} from './tarball-inspectors.js';

/** When the inspection of one tarball must end, by the injected clock. */
export interface Deadline {
  now: () => number;
  at: number;
  budgetMs: number;
}

export const BUILT_IN: InspectorFactory[] = [
  packageJsonInspector,
  readmeInspector,
  fileStatsInspector,
  installHookInspector,
  shrinkwrapInspector,
];

/** An inspector's own bug: it must surface as one (a 500 naming it), not as "not a gzip archive". */
export class InspectorFailure extends Error {}

export function checkDeadline(deadline: Deadline): void {
  if (deadline.now() > deadline.at) throw outOfTime(deadline);
}

export function outOfTime(deadline: Deadline): GatehouseError {
  return catalogError(
    'TarballInspectionTimeout',
    `Inspecting the tarball took longer than ${deadline.budgetMs} ms, the limit here. ` +
      'Publish fewer or smaller files, or ask the registry administrator about the limit.',
  );
}

export async function offer(
  inspector: TarballInspector,
  entry: InspectedEntry,
  bytes: Buffer,
  deadline: Deadline,
): Promise<void> {
  let pending: void | Promise<void>;
  try {
    pending = inspector.entry(entry, bytes);
    if (pending) await withinBudget(pending, deadline);
  } catch (err) {
    throw asInspectorError(inspector, err);
  }
  checkDeadline(deadline);
}

/** An inspector still working when the budget runs out is not waited for. */
async function withinBudget(work: Promise<void>, deadline: Deadline): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(outOfTime(deadline)), Math.max(0, deadline.at - deadline.now()));
  });
  try {
    await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

function asInspectorError(inspector: TarballInspector, err: unknown): Error {
  if (err instanceof GatehouseError) return err;
  return new InspectorFailure(`gatehouse: tarball inspector "${inspector.name}" failed: ${(err as Error)?.message}`, {
    cause: err,
  });
}

export function summarise(inspectors: TarballInspector[]): TarballSummary {
  const results = new Map<string, unknown>();
  for (const inspector of inspectors) {
    try {
      results.set(inspector.name, inspector.finish());
    } catch (err) {
      throw asInspectorError(inspector, err);
    }
  }
  const built = (name: string) => results.get(name);
  const stats = built('file-stats') as { fileCount: number; unpackedSize: number };
  const readme = built('readme') as TarballSummary['readme'];
  const summary: TarballSummary = {
    packageJson: built('package-json') as Record<string, unknown>,
    fileCount: stats.fileCount,
    unpackedSize: stats.unpackedSize,
    hasBindingGyp: built('install-hooks') === true,
    hasShrinkwrap: built('shrinkwrap') === true,
    results: new Map([...results].filter(([name]) => !BUILT_IN_NAMES.has(name))),
  };
  if (readme) summary.readme = readme;
  return summary;
}

const BUILT_IN_NAMES = new Set(['package-json', 'readme', 'file-stats', 'install-hooks', 'shrinkwrap']);
