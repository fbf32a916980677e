// How a new name relates to one protected name it is one keystroke away from: which typo it is
// (omission, repetition, transposition, substitution, addition), or none. Pure string work on
// plain forms (folded, separators dropped); the index (name-index.ts) finds the candidates.
import { foldName, wordsOf } from './skeleton.js';

export type EditTechnique = 'omission' | 'repetition' | 'addition' | 'transposition' | 'substitution';

/**
 * The single edit that turns `target` into `candidate`, or undefined when they are not one edit
 * apart. Damerau's adjacent transposition counts as one edit: it is the commonest slip of a hand.
 */
export function singleEdit(candidate: string, target: string): { technique: EditTechnique; at: number } | undefined {
  const lc = candidate.length;
  const lt = target.length;
  if (Math.abs(lc - lt) > 1) return undefined;
  let i = 0;
  while (i < lc && i < lt && candidate[i] === target[i]) i++;
  if (lc === lt) {
    if (i === lc) return undefined;
    if (candidate.slice(i + 1) === target.slice(i + 1)) return { technique: 'substitution', at: i };
    if (
      i + 1 < lc &&
      candidate[i] === target[i + 1] &&
      candidate[i + 1] === target[i] &&
      candidate.slice(i + 2) === target.slice(i + 2)
    ) {
      return { technique: 'transposition', at: i };
    }
    return undefined;
  }
  if (lc === lt + 1) {
    if (candidate.slice(i + 1) !== target.slice(i)) return undefined;
    const extra = candidate[i];
    // `expresss`, `reaact`: the extra letter doubles its neighbour.
    const doubled = extra === candidate[i - 1] || extra === candidate[i + 1];
    return { technique: doubled ? 'repetition' : 'addition', at: i };
  }
  if (candidate.slice(i) !== target.slice(i + 1)) return undefined;
  return { technique: 'omission', at: i };
}

/** Every string made by deleting one character of `s` (the deletion neighbourhood of distance 1). */
export function deletionsOf(s: string): string[] {
  const out = new Set<string>();
  for (let i = 0; i < s.length; i++) out.add(s.slice(0, i) + s.slice(i + 1));
  return [...out];
}

/** A name as the edit rules see it: its plain form and where its words start in that form. */
export interface NameForm {
  plain: string;
  starts: readonly number[];
}

export function nameForm(name: string): NameForm {
  const starts: number[] = [];
  let at = 0;
  for (const word of wordsOf(name)) {
    starts.push(at);
    at += word.length;
  }
  return { plain: plainOf(name), starts };
}

/** Folded, lower case, separators and scope punctuation dropped, look-alike letters kept apart. */
export function plainOf(name: string): string {
  return foldName(name.startsWith('@') ? name.slice(1) : name).replace(/[-_./\s]/g, '');
}

/** `babel` of `@babel/core`; undefined for an unscoped name. */
export function scopeOf(name: string): string | undefined {
  if (!name.startsWith('@')) return undefined;
  const slash = name.indexOf('/');
  return slash < 0 ? undefined : name.slice(1, slash);
}

/** `core` of `@babel/core`; the name itself when unscoped. */
export function bareOf(name: string): string {
  const slash = name.indexOf('/');
  return name.startsWith('@') && slash >= 0 ? name.slice(slash + 1) : name;
}

/**
 * Edits that make real, different packages rather than typos, judged on the top-10,000 list
 * (bench/typosquat-false-positives.mjs): a changed first letter of a word (`eslint`/`tslint`,
 * `get-proto`/`set-proto`), a letter added before a name (`preact`/`react`), a version digit
 * (`es2015`/`es2016`), a plural `s` (`color`/`colors`), and in names of several words a letter at
 * a word's end (`http-proxy-agent`/`https-proxy-agent`) or a letter that is a word (`import-x`).
 */
export function meaningfulEdit(candidate: NameForm, target: NameForm, edit: { technique: EditTechnique; at: number }): boolean {
  // The longer name of the pair holds the letter that one has and the other lacks.
  const longer = edit.technique === 'omission' ? target : candidate;
  const ch = longer.plain[edit.at];
  const last = edit.at === longer.plain.length - 1;
  switch (edit.technique) {
    case 'substitution':
      return !(isDigit(candidate.plain[edit.at]) && isDigit(target.plain[edit.at])) && !candidate.starts.includes(edit.at);
    case 'addition':
    case 'omission':
      if (edit.at === 0 || isDigit(ch) || (last && ch === 's')) return false;
      if (longer.starts.length > 1 && (longer.starts.includes(edit.at + 1) || last)) return false;
      return true;
    case 'repetition':
    case 'transposition':
      return true;
  }
}

function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9';
}
