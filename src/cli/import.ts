// `gatehouse import (--from URL | --from-dir DIR) --owner USER [NAME...] [--names-file FILE]`:
// the way in from another registry. Runs on the config's database like `gatehouse user create`
// (an operator's command, no HTTP auth); prints one line per package and any version not imported.
import { readFile } from 'node:fs/promises';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { openRegistry } from '../registry.js';
import type { ImportSource, PackageImport } from '../domain/packages/import.js';
import { FolderImportSource, RegistryImportSource } from '../domain/packages/import-sources.js';

export interface ImportOptions {
  from?: string;
  fromDir?: string;
  owner: string;
  names: string[];
  namesFile?: string;
  /** Bearer token for --from; read from stdin or GATEHOUSE_IMPORT_TOKEN, never from the command line. */
  token?: string;
}

export interface ImportSummary {
  packages: PackageImport[];
  imported: number;
  skipped: number;
  /** Conflicts, refusals and packages that could not be read. */
  failed: number;
}

export async function runImport(
  opts: ImportOptions,
  overrides: Partial<Config>,
  configFile: string | undefined,
  out: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Promise<ImportSummary> {
  if ((opts.from === undefined) === (opts.fromDir === undefined))
    throw new ConfigError('Give exactly one of --from URL or --from-dir DIR.');
  // --from takes a folder too: anything that is not an http(s) URL is read as one.
  const url = opts.from !== undefined && /^https?:\/\//i.test(opts.from) ? opts.from : undefined;
  const source: ImportSource & { names?: () => Promise<string[]> } = url
    ? new RegistryImportSource(url, opts.token)
    : new FolderImportSource((opts.fromDir ?? opts.from)!);
  const names = [...opts.names, ...(opts.namesFile ? await namesIn(opts.namesFile) : [])];
  if (names.length === 0 && source.names) names.push(...(await source.names()));
  if (names.length === 0) throw new ConfigError('Name the packages to import (NAME... or --names-file FILE).');
  const config = loadConfig({ file: configFile, overrides: { ...overrides, eventPollMs: 0 } });
  const registry = await openRegistry(config);
  try {
    const owner = await registry.store.users.byName(opts.owner);
    if (!owner) throw new ConfigError(`There is no user named "${opts.owner}"; create it first (gatehouse user create).`);
    const summary: ImportSummary = { packages: [], imported: 0, skipped: 0, failed: 0 };
    for (const name of names) {
      const result = await registry.packages.importPackage(source, name, owner);
      summary.packages.push(result);
      report(result, summary, out);
    }
    out(`Imported ${summary.imported} versions, skipped ${summary.skipped} already here, ${summary.failed} not imported.`);
    return summary;
  } finally {
    await registry.close();
  }
}

function report(result: PackageImport, summary: ImportSummary, out: (line: string) => void): void {
  if (result.error !== undefined) {
    summary.failed += 1;
    out(`${result.name}: not imported: ${result.error}`);
    return;
  }
  const count = (status: string) => result.outcomes.filter((o) => o.status === status).length;
  summary.imported += count('imported');
  summary.skipped += count('skipped');
  summary.failed += count('conflict') + count('refused');
  out(
    `${result.name}: ${count('imported')} imported, ${count('skipped')} skipped, ${count('conflict')} conflicts, ${count('refused')} refused`,
  );
  for (const o of result.outcomes) {
    if (o.status === 'conflict' || o.status === 'refused') out(`  ${result.name}@${o.version}: ${o.status}: ${o.reason}`);
  }
}

/** One name a line; blank lines and `#` comments are skipped. */
async function namesIn(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8');
  return text
    .split(/\r?\n/)
    .map((line) => line.replace(/#.*/, '').trim())
    .filter((line) => line !== '');
}
