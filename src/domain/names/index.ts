// The typosquatting defence wired in one place: the protected list read and indexed (once per
// file per process: tests open many registries), the service, and its publish step.
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Store } from '../store.js';
import type { Clock } from '../clock.js';
import { NameIndex } from './name-index.js';
import { parseProtectedList } from './protected-list.js';
import { NameDefence, type TyposquatPolicy } from './service.js';
import { typosquatStep } from './publish-step.js';

/** data/npm-top-10000.tsv, from src/ and from dist/ alike (package.json "files" ships data/). */
export const BUNDLED_PROTECTED_NAMES = fileURLToPath(new URL('../../../data/npm-top-10000.tsv', import.meta.url));

const indexes = new Map<string, { mtimeMs: number; index: NameIndex }>();

/** The list at `file` indexed; read again only when the file changed. A malformed file throws (start-up stops). */
export function protectedNameIndex(file: string): NameIndex {
  const mtimeMs = statSync(file).mtimeMs;
  const cached = indexes.get(file);
  if (cached && cached.mtimeMs === mtimeMs) return cached.index;
  const index = new NameIndex(parseProtectedList(readFileSync(file, 'utf8'), file));
  indexes.set(file, { mtimeMs, index });
  return index;
}

/** The protected list a configuration names, indexed; an empty one with the defence off (nothing reads it). */
export function protectedNamesOf(settings: { typosquatPolicy: string; protectedNames: string }): NameIndex {
  return settings.typosquatPolicy === 'off'
    ? new NameIndex([])
    : protectedNameIndex(settings.protectedNames || BUNDLED_PROTECTED_NAMES);
}

export function wireNames(deps: {
  store: Store;
  clock: Clock;
  protectedNames: NameIndex;
  settings: { typosquatPolicy: string; typosquatPopularTop: number; typosquatPopularMinutes: number };
}) {
  const { settings } = deps;
  const names = new NameDefence({
    store: deps.store,
    clock: deps.clock,
    policy: settings.typosquatPolicy as TyposquatPolicy,
    protectedNames: deps.protectedNames,
    popular: { top: settings.typosquatPopularTop, refreshMs: settings.typosquatPopularMinutes * 60_000 },
  });
  return { names, publishStep: typosquatStep(names) };
}
