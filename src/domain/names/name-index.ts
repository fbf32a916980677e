// The protected and popular names, indexed once so that checking a new name is a handful of map
// lookups (well under a millisecond against 100 000 names; bench/typosquat.mjs measures it).
// Keys: each name's skeleton (look-alikes), its plain form and that form's one-character deletions
// (a symmetric deletion index: every single edit meets in one key), and its words sorted (reordering).
// Pure: no storage, no HTTP. It says which name a candidate imitates; policy decides what follows.
import { skeletonOf, wordsOf } from './skeleton.js';
import {
  bareOf,
  deletionsOf,
  meaningfulEdit,
  nameForm,
  plainOf,
  scopeOf,
  singleEdit,
  type EditTechnique,
  type NameForm,
} from './similarity.js';
import { HashedKeys } from './hashed-keys.js';

export interface PopularName {
  name: string;
  /** Downloads in a month, from the list's file or the registry's own counts. */
  downloads: number;
}

export type Technique =
  | 'case'
  | 'separator'
  | 'homoglyph'
  | 'confusable'
  | EditTechnique
  | 'scope'
  | 'affix'
  | 'reordering'
  | 'suspicious-word';

export interface SimilarName {
  /** The protected or popular name the candidate resembles. */
  name: string;
  downloads: number;
  technique: Technique;
}

/** Words that make a name look like a variant of the package it contains, not a new package. */
export const AFFIX_PREFIXES: ReadonlySet<string> = new Set(['node', 'nodejs', 'js', 'npm']);
export const AFFIX_SUFFIXES: ReadonlySet<string> = new Set(['js', 'node', 'nodejs', 'cli', 'npm', 'lib', 'pkg', 'package']);
/** Words attackers add to sound trustworthy or urgent (`lodash-security-update`). */
export const SUSPICIOUS_WORDS: ReadonlySet<string> = new Set([
  'official',
  'secure',
  'security',
  'update',
  'updated',
  'patch',
  'patched',
  'fixed',
  'latest',
  'verified',
  'original',
  'real',
  'legit',
  'free',
  'crack',
  'cracked',
  'hack',
  'hacked',
]);

/** Single edits are judged only against names this long: among short names (`ms`, `qs`, `pg`) every edit is another real name. */
export const MIN_EDIT_LENGTH = 5;

interface Entry extends PopularName, NameForm {
  scope: string | undefined;
  skeleton: string;
  /** The words sorted, for names of two words or more. */
  wordSet: string | undefined;
}

export class NameIndex {
  private readonly entries: Entry[] = [];
  private readonly exact = new Map<string, number>();
  private readonly bySkeleton = new HashedKeys();
  private readonly byPlain = new HashedKeys();
  private readonly byDeletion = new HashedKeys();
  private readonly byWords = new HashedKeys();

  constructor(names: Iterable<PopularName>) {
    for (const { name, downloads } of names) {
      const lower = name.toLowerCase();
      const known = this.exact.get(lower);
      if (known !== undefined) {
        this.entries[known]!.downloads = Math.max(this.entries[known]!.downloads, downloads);
        continue;
      }
      const id = this.entries.length;
      const form = nameForm(lower);
      const words = wordsOf(lower);
      const entry: Entry = {
        name: lower,
        downloads,
        scope: scopeOf(lower),
        ...form,
        skeleton: skeletonOf(lower),
        wordSet: words.length >= 2 ? [...words].sort().join(' ') : undefined,
      };
      this.entries.push(entry);
      this.exact.set(lower, id);
      this.bySkeleton.add(entry.skeleton, id);
      if (form.plain.length >= MIN_EDIT_LENGTH) {
        this.byPlain.add(form.plain, id);
        for (const d of deletionsOf(form.plain)) this.byDeletion.add(d, id);
      }
      if (entry.wordSet !== undefined) this.byWords.add(entry.wordSet, id);
    }
    for (const keys of [this.bySkeleton, this.byPlain, this.byDeletion, this.byWords]) keys.freeze();
  }

  get size(): number {
    return this.entries.length;
  }

  /** The listed entry for exactly this name (case-insensitive), if it is one. */
  get(name: string): PopularName | undefined {
    const id = this.exact.get(name.toLowerCase());
    return id === undefined ? undefined : this.entries[id];
  }

  /** The most downloaded listed name `candidate` imitates, if any; never `candidate` itself. */
  similarTo(candidate: string): SimilarName | undefined {
    const hits: SimilarName[] = [];
    for (const hit of this.lookalikes(candidate)) if (this.counts(candidate, hit)) hits.push(hit);
    hits.sort((a, b) => b.downloads - a.downloads);
    return hits[0];
  }

  /** Every listed name `candidate` imitates (for tests and the false-positive report). */
  allSimilarTo(candidate: string): SimilarName[] {
    return [...this.lookalikes(candidate)].filter((hit) => this.counts(candidate, hit));
  }

  private *lookalikes(candidate: string): Generator<SimilarName> {
    const lower = candidate.toLowerCase();
    const skeleton = skeletonOf(candidate);
    for (const id of this.bySkeleton.find(skeleton)) {
      const entry = this.entries[id]!;
      const technique = entry.skeleton === skeleton ? skeletonTechnique(candidate, entry.name) : undefined;
      if (technique !== undefined) yield this.hit(id, technique);
    }
    yield* this.edits(lower);
    yield* this.wordVariants(lower);
  }

  /** One keystroke away: found where the candidate's and the name's deletion neighbourhoods meet. */
  private *edits(lower: string): Generator<SimilarName> {
    const form = nameForm(lower);
    if (form.plain.length < MIN_EDIT_LENGTH) return;
    const found = this.byDeletion.find(form.plain);
    for (const d of deletionsOf(form.plain)) {
      this.byPlain.find(d, found);
      this.byDeletion.find(d, found);
    }
    const scope = scopeOf(lower);
    for (const id of new Set(found)) {
      const entry = this.entries[id]!;
      const edit = singleEdit(form.plain, entry.plain);
      if (!edit || !meaningfulEdit(form, entry, edit)) continue;
      const swappedScope =
        scope !== undefined && entry.scope !== undefined && scope !== entry.scope && bareOf(lower) === bareOf(entry.name);
      yield this.hit(id, swappedScope ? 'scope' : edit.technique);
    }
  }

  /** The name with a word added (`node-`, `-js`, `-security`) or its words in another order. */
  private *wordVariants(lower: string): Generator<SimilarName> {
    // In a scope only its org publishes (`@eslint/js`); an unscoped name anyone may claim.
    if (scopeOf(lower) !== undefined) return;
    const words = wordsOf(lower);
    if (words.length < 2) {
      // `lodashjs`, `nodelodash`: the affix glued on without a separator.
      const plain = plainOf(lower);
      for (const suffix of AFFIX_SUFFIXES)
        if (plain.endsWith(suffix)) yield* this.sameSkeleton(plain.slice(0, -suffix.length), 'affix');
      for (const prefix of AFFIX_PREFIXES)
        if (plain.startsWith(prefix)) yield* this.sameSkeleton(plain.slice(prefix.length), 'affix');
      return;
    }
    const first = words[0]!;
    const last = words[words.length - 1]!;
    if (AFFIX_PREFIXES.has(first)) yield* this.sameSkeleton(words.slice(1).join(''), 'affix');
    if (AFFIX_SUFFIXES.has(last)) yield* this.sameSkeleton(words.slice(0, -1).join(''), 'affix');
    for (let i = 0; i < words.length; i++) {
      if (SUSPICIOUS_WORDS.has(words[i]!)) yield* this.sameSkeleton(words.filter((_, j) => j !== i).join(''), 'suspicious-word');
    }
    const wordSet = [...words].sort().join(' ');
    const order = words.join(' ');
    for (const id of this.byWords.find(wordSet)) {
      const entry = this.entries[id]!;
      if (entry.wordSet === wordSet && entry.scope === undefined && wordsOf(entry.name).join(' ') !== order)
        yield this.hit(id, 'reordering');
    }
  }

  private *sameSkeleton(rest: string, technique: Technique): Generator<SimilarName> {
    // `js-yaml` next to `yaml`, `read-pkg` next to `read`: a short name is a word, not a brand.
    if (rest.length < MIN_EDIT_LENGTH) return;
    const skeleton = skeletonOf(rest);
    for (const id of this.bySkeleton.find(skeleton)) {
      const entry = this.entries[id]!;
      if (entry.skeleton === skeleton && entry.plain.length >= MIN_EDIT_LENGTH) yield this.hit(id, technique);
    }
  }

  private hit(id: number, technique: Technique): SimilarName {
    const { name, downloads } = this.entries[id]!;
    return { name, downloads, technique };
  }

  /**
   * Not the name itself, and not a neighbour in the same scope: only the scope's org may publish
   * there, so `@babel/core` beside `@babel/care` is that org's own business.
   */
  private counts(candidate: string, hit: SimilarName): boolean {
    if (hit.name === candidate) return false;
    const scope = scopeOf(candidate.toLowerCase());
    return scope === undefined || scope !== scopeOf(hit.name);
  }
}

/**
 * Why two different names share a skeleton, or undefined when that is no imitation: a scoped
 * name whose flattening is an unscoped one (`@babel/core`, `babel-core`) is its org's, and
 * among names of three letters or fewer look-alike letters make other real names (`he`, `h3`).
 */
function skeletonTechnique(candidate: string, target: string): Technique | undefined {
  const lower = candidate.toLowerCase();
  if (lower === target) return 'case';
  const samePlain = plainOf(lower) === plainOf(target);
  const scope = scopeOf(lower);
  const targetScope = scopeOf(target);
  if (/[^\x00-\x7f]/.test(candidate)) return 'homoglyph';
  if (samePlain && scope !== targetScope) return scope !== undefined && targetScope === undefined ? undefined : 'scope';
  if (samePlain) return 'separator';
  return plainOf(target).length > 3 ? 'confusable' : undefined;
}
