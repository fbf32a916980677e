// A package name's skeleton: what a reader sees when glancing at it. Two names with one skeleton
// look alike (`Re_act`, `rеact` with a Cyrillic е, `react.`), so a typosquat cannot hide behind
// case, separators or look-alike characters. Pure: no storage, no HTTP; the matcher builds on it.
// Must never be used as an identity: `l0dash` and `lodash` share a skeleton but are different names.

/**
 * Characters that render like a Latin letter or digit: Cyrillic, Greek and a few symbols
 * (Unicode's confusables for the letters npm names use), each to the ASCII letter it mimics.
 */
const HOMOGLYPHS: Record<string, string> = {
  а: 'a',
  в: 'b',
  е: 'e',
  ё: 'e',
  һ: 'h',
  і: 'i',
  ї: 'i',
  ј: 'j',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  ѕ: 's',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  ɡ: 'g',
  ı: 'i',
  ɩ: 'i',
  α: 'a',
  β: 'b',
  ε: 'e',
  η: 'n',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  ω: 'w',
  ϲ: 'c',
  '|': 'l',
  '!': 'i',
  $: 's',
  '@': 'a',
};

/**
 * Look-alikes inside ASCII, to one representative each: 0/o, 1/l/i/|, 5/s, rn/m, vv/w, cl/d.
 * Applied after separators are gone, so `r-n` does not hide an `m`.
 */
const ASCII_CONFUSABLES: readonly [RegExp, string][] = [
  [/rn/g, 'm'],
  [/vv/g, 'w'],
  [/cl/g, 'd'],
  [/0/g, 'o'],
  [/[1i]/g, 'l'],
  [/5/g, 's'],
  [/3/g, 'e'],
];

/** Separators npm allows (and scope punctuation), which a reader barely notices. */
const SEPARATORS = /[-_./@\s]/g;

/** Lower case, Unicode folded (NFKD, marks dropped, homoglyphs mapped) but separators kept. */
export function foldName(name: string): string {
  if (/^[\x00-\x7f]*$/.test(name) && !/[|!$@]/.test(name)) return name.toLowerCase();
  const decomposed = name.normalize('NFKD').toLowerCase();
  let out = '';
  for (const ch of decomposed) {
    if (/\p{M}/u.test(ch)) continue; // combining marks: é is e with an accent
    out += HOMOGLYPHS[ch] ?? ch;
  }
  return out;
}

/** The skeleton: folded, separators dropped, ASCII confusables merged. */
export function skeletonOf(name: string): string {
  let s = foldName(stripScopeAt(name)).replace(SEPARATORS, '');
  for (const [pattern, to] of ASCII_CONFUSABLES) s = s.replace(pattern, to);
  return s;
}

/** The words of a name, folded: `@types/node-fetch` is [types, node, fetch]. */
export function wordsOf(name: string): string[] {
  return foldName(stripScopeAt(name))
    .split(SEPARATORS)
    .filter((w) => w !== '');
}

/** A leading `@` marks a scope, not a letter: only there is it punctuation, not a homoglyph of `a`. */
function stripScopeAt(name: string): string {
  return name.startsWith('@') ? name.slice(1) : name;
}
