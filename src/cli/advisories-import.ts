// `gatehouse advisories import FILE|DIR|ZIP...`: loads OSV records (docs/advisories.md) into the
// configured database. Re-running with a newer export updates what changed. A record that cannot
// be read is reported on stderr with its file and reason and skipped; the rest are imported. The
// exit code is non-zero only when nothing could be read: a source that does not open, or records
// none of which could be read.
import type { Config } from '../config.js';
import { withRegistry } from './with-registry.js';
import { SourceUnreadable } from '../domain/advisories/sources.js';
import type { ImportSummary } from '../domain/advisories/service.js';

export interface AdvisoriesImportResult {
  summaries: ImportSummary[];
  /** Sources that could not be opened at all. */
  unopened: number;
}

export async function advisoriesImport(
  paths: string[],
  overrides: Partial<Config>,
  configFile: string | undefined,
  out: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  err: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<AdvisoriesImportResult> {
  return withRegistry(overrides, configFile, async (registry) => {
    const result: AdvisoriesImportResult = { summaries: [], unopened: 0 };
    for (const path of paths) {
      let summary: ImportSummary;
      try {
        summary = await registry.advisories.importFrom(path);
      } catch (e) {
        if (!(e instanceof SourceUnreadable)) throw e;
        err(e.message);
        result.unopened++;
        continue;
      }
      for (const e of summary.errors) err(`skipped ${e.file}${e.id ? ` (${e.id})` : ''}: ${e.reason}`);
      out(
        `${path}: ${summary.read} records read; ${summary.added} added, ${summary.updated} updated, ` +
          `${summary.withdrawn} withdrawn, ${summary.unchanged} unchanged, ` +
          `${summary.otherEcosystems} for other ecosystems, ${summary.errors.length} skipped`,
      );
      result.summaries.push(summary);
    }
    return result;
  });
}

/** Nothing could be read: every source failed to open, or every record in them failed to parse. */
export function nothingRead(result: AdvisoriesImportResult): boolean {
  const read = result.summaries.reduce((n, s) => n + s.read - s.errors.length, 0);
  const errors = result.summaries.reduce((n, s) => n + s.errors.length, 0);
  return read === 0 && (result.unopened > 0 || errors > 0);
}
