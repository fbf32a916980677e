// `npm search`: find live packages whose name, description or keywords contain every word, and
// rank an exact name first, then names starting with the query, then names containing it, then
// keyword and description matches; recent changes break ties.
import type { Store } from '../store.js';
import type { Principal } from '../access/principal.js';
import { canRead } from './authorize.js';
import type { SearchRow } from './store.js';
import { readFacts } from '../orgs/readers.js';

export interface SearchHit {
  row: SearchRow;
  score: number;
}

const MAX_CANDIDATES = 500;

export function searchWords(text: string): string[] {
  return text
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w.length > 0)
    .slice(0, 8);
}

export function rank(row: SearchRow, words: string[], query: string): number {
  const name = row.name.toLowerCase();
  const bare = name.replace(/^@[^/]+\//, '');
  if (name === query || bare === query) return 1;
  if (name.startsWith(query) || bare.startsWith(query)) return 0.8;
  const inName = words.filter((w) => name.includes(w)).length / words.length;
  const keywords = row.keywords.toLowerCase();
  const inKeywords = words.filter((w) => keywords.includes(w)).length / words.length;
  return 0.2 + 0.4 * inName + 0.15 * inKeywords;
}

export async function search(
  store: Store,
  principal: Principal,
  text: string,
  size: number,
  from: number,
): Promise<{ hits: SearchHit[]; total: number }> {
  const words = searchWords(text);
  if (words.length === 0) return { hits: [], total: 0 };
  const query = words.join(' ');
  const rows = await store.packages.searchCandidates(words, MAX_CANDIDATES);
  // Filtered before ranking and counting: a hidden package must not show even in the total.
  const readable = await Promise.all(
    rows.map(async (row) => canRead(principal, await readFacts(store, row.name, row.visibility)).ok),
  );
  const hits = rows
    .filter((_row, i) => readable[i])
    .map((row) => ({ row, score: rank(row, words, query) }))
    .sort(
      (a, b) => b.score - a.score || b.row.modifiedAt.localeCompare(a.row.modifiedAt) || a.row.name.localeCompare(b.row.name),
    );
  return { hits: hits.slice(from, from + size), total: hits.length };
}
