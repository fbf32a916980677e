// False positives of the typosquatting check on real names: every name of the bundled top-10,000
// list is checked against all the others. npm accepted both names of every pair, so each flagged
// name is a false positive (or a squat npm let through). Prints the rate and the pairs by technique.
//   npm run build && node bench/typosquat-false-positives.mjs [--list file.tsv] [--show N]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const dist = process.env.GATEHOUSE_DIST ?? new URL('../dist/', import.meta.url).href;
const { NameIndex } = await import(new URL('domain/names/name-index.js', dist).href);
const { parseProtectedList } = await import(new URL('domain/names/protected-list.js', dist).href);

const { values } = parseArgs({
  options: {
    list: { type: 'string', default: new URL('../data/npm-top-10000.tsv', import.meta.url).pathname },
    show: { type: 'string', default: '10' },
  },
});
const names = parseProtectedList(readFileSync(values.list, 'utf8'), values.list);
const index = new NameIndex(names);
const flagged = [];
for (const { name } of names) {
  const hit = index.similarTo(name);
  if (hit) flagged.push({ candidate: name, similar: hit.name, technique: hit.technique });
}
const byTechnique = new Map();
for (const f of flagged) byTechnique.set(f.technique, [...(byTechnique.get(f.technique) ?? []), f]);
const rate = (100 * flagged.length) / names.length;
console.log(`names checked: ${names.length} (each against all the others)`);
console.log(`flagged (false positives): ${flagged.length} = ${rate.toFixed(2)} %`);
// npm itself has refused names that differ from an existing one only by punctuation since 2017;
// those pairs predate that rule, so they are false positives npm would repeat today.
const punctuation = flagged.filter((f) => f.technique === 'separator').length;
console.log(
  `  of which differ only by separators (npm refuses those too): ${punctuation}; the rest: ${flagged.length - punctuation} = ${((100 * (flagged.length - punctuation)) / names.length).toFixed(2)} %`,
);
for (const [technique, list] of [...byTechnique].sort((a, b) => b[1].length - a[1].length)) {
  const examples = list.slice(0, Number(values.show)).map((f) => `${f.candidate} ~ ${f.similar}`);
  console.log(`  ${technique.padEnd(16)} ${String(list.length).padStart(4)}  e.g. ${examples.join(', ')}`);
}
