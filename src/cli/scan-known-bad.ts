// `gatehouse scan known-bad import FILE`: adds the digests of a known-bad list (one sha512
// integrity or SHA-256 hex per line, then a note; docs/malware-scanning.md) to the table every
// publish is checked against. Re-running with an updated list adds only what is new. A bad line
// stops the import before anything is written.
import { readFileSync } from 'node:fs';
import { ConfigError, type Config } from '../config.js';
import { parseKnownBadList } from '../domain/scanning/known-bad.js';
import { withRegistry } from './with-registry.js';

export async function scanKnownBadImport(
  file: string,
  overrides: Partial<Config>,
  configFile: string | undefined,
): Promise<void> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`Cannot read the known-bad list ${file}: ${(err as Error).message}`);
  }
  const entries = parseKnownBadList(text);
  await withRegistry(overrides, configFile, async (registry) => {
    if (!registry.scanning) throw new ConfigError('Malware scanning is off here (scanEnabled); nothing was imported.');
    const added = await registry.scanning.importKnownBad(entries);
    process.stdout.write(`${entries.length} digests read, ${added} new, ${entries.length - added} already listed\n`);
  });
}
