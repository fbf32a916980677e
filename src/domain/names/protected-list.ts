// The protected-names file: `name<TAB>downloads_a_month`, a header row first (data/npm-top-10000.tsv,
// or a deployment's own file through GATEHOUSE_PROTECTED_NAMES). Parsing only: the text comes in,
// names come out; a malformed line stops start-up with its line number rather than protecting less.
import type { PopularName } from './name-index.js';

export class ProtectedListError extends Error {}

const HEADER = /^name\tdownloads/i;

export function parseProtectedList(text: string, source: string): PopularName[] {
  const lines = text.split(/\r?\n/);
  if (!HEADER.test(lines[0] ?? '')) {
    throw new ProtectedListError(`${source}: the first line must be the header "name<TAB>downloads_a_month".`);
  }
  const names: PopularName[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const [name, downloads, extra] = line.split('\t');
    const count = Number(downloads);
    if (
      !name ||
      extra !== undefined ||
      downloads === undefined ||
      !/^\d+$/.test(downloads.trim()) ||
      !Number.isSafeInteger(count)
    ) {
      throw new ProtectedListError(`${source} line ${i + 1}: expected "name<TAB>downloads_a_month", got "${line.slice(0, 80)}".`);
    }
    names.push({ name: name.trim(), downloads: count });
  }
  return names;
}
