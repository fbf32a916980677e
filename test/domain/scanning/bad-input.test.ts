// The scanner faces attacker-controlled tarballs: deeply nested paths, huge files, binary files,
// invalid UTF-8 and text crafted against the rules' regular expressions must all end in a verdict
// (bounded by the byte caps and the vitest timeout, never by a timing assertion) and never a crash.
// The rule file itself is refused at load when a pattern could backtrack without bound.
import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { packageBuilder } from '../../fixtures/package-builder.js';
import { parseRuleFile, RuleFileError, assertLinear } from '../../../src/domain/scanning/rules.js';
import { evaluate, filesRunBy } from '../../../src/domain/scanning/evaluate.js';
import { fileScanner } from '../../../src/domain/scanning/matcher.js';
import { RULES, ruleIds, scanTarball } from './scan-support.js';
import { readFileSync } from 'node:fs';

const EVAL = "eval(atob('eA=='))";

describe('scanning bad input', () => {
  it('reads invalid UTF-8 without failing, and still matches the ASCII around it', async () => {
    const body = Buffer.concat([
      Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0xa0, 0xa1]),
      Buffer.from(`\n${EVAL}\n`),
      Buffer.from([0xed, 0xa0, 0x80]),
    ]);
    const outcome = await scanTarball(packageBuilder('mojibake', '1.0.0').file('index.js', body).tarball());
    expect(ruleIds(outcome)).toEqual(['eval-decoded']);
  });

  it('skips the text rules for binary files, but not for code files with a NUL byte', async () => {
    const hidden = Buffer.concat([Buffer.from('\0\0\0'), Buffer.from(EVAL)]);
    const binary = await scanTarball(packageBuilder('bin', '1.0.0').file('data/blob.bin', hidden).tarball());
    expect(binary.findings).toEqual([]);
    const code = await scanTarball(packageBuilder('bin', '1.0.0').file('index.js', hidden).tarball());
    expect(ruleIds(code)).toEqual(['eval-decoded']);
  });

  it('reads deeply nested paths', async () => {
    const deep = Array.from({ length: 60 }, (_, i) => `d${i}`).join('/');
    const outcome = await scanTarball(packageBuilder('deep', '1.0.0').file(`${deep}/index.js`, EVAL).tarball());
    expect(outcome.findings.map((f) => f.where)).toEqual([`${deep}/index.js`]);
  });

  it('reads a huge file up to its cap, matching across window boundaries, and says the rest was not read', async () => {
    const limits = { maxFileBytes: 8 * 1024 * 1024, maxTotalBytes: 12 * 1024 * 1024 };
    // A match straddling the 1 MiB window boundary, and one past the per-file cap.
    const big = Buffer.alloc(20 * 1024 * 1024, 'a');
    big.write(`\n${EVAL}\n`, 1024 * 1024 - 5);
    big.write('\nstratum+tcp://pool.example.invalid\n', 10 * 1024 * 1024);
    const outcome = await scanTarball(packageBuilder('big', '1.0.0').file('big.js', big).file('second.js', big).tarball(), {
      limits,
    });
    expect(ruleIds(outcome)).toEqual(['eval-decoded', 'scan-incomplete']);
    expect(outcome.files.incomplete).toBe(true);
    expect(outcome.files.scannedBytes).toBe(12 * 1024 * 1024);
  });

  it('stays bounded on text crafted against every rule', async () => {
    const limits = { maxFileBytes: 2 * 1024 * 1024, maxTotalBytes: 64 * 1024 * 1024 };
    const seeds = [
      'eval(',
      'eval( atob',
      'curl ',
      '_0x',
      '\\x4',
      'node -e ',
      'JSON.stringify(process.env',
      'a',
      ' ',
      '(',
      '/dev/tcp/',
      'https.request(',
      'spawn("/bin/sh"',
      'readFileSync("',
      '.ssh/',
      'stratum+tcp://',
      'Buffer.from(',
      'process.env.NPM_TOKEN',
      'echo ',
      'detached: true',
    ];
    let builder = packageBuilder('crafted', '1.0.0').packageJson({
      scripts: { postinstall: `node -e ${'eval('.repeat(10_000)}`, install: 'curl '.repeat(10_000) },
    });
    seeds.forEach((seed, i) => (builder = builder.file(`f${i}.js`, seed.repeat(Math.ceil((2 * 1024 * 1024) / seed.length)))));
    const outcome = await scanTarball(builder.tarball(), { limits });
    expect(['allow', 'warn', 'quarantine']).toContain(outcome.verdict);
    expect(outcome.files.scannedBytes).toBeGreaterThan(seeds.length * 2 * 1024 * 1024 - 1);
  });

  it('treats a package.json with strange field types as having no scripts or dependencies', () => {
    const files = fileScanner(() => RULES, { maxFileBytes: 1, maxTotalBytes: 1 })().finish();
    for (const packageJson of [
      { scripts: 'curl x | sh' },
      { scripts: { postinstall: ['curl'] } },
      { dependencies: ['https://x.invalid'] },
      { dependencies: { a: 5 } },
    ]) {
      expect(evaluate(RULES, { packageJson, files, knownBad: [] }).verdict).toBe('allow');
    }
  });

  it('finds the files install scripts run', () => {
    expect(
      filesRunBy([
        'node install.js',
        'node ./scripts/post',
        'node --no-warnings lib/x.mjs && echo',
        `node -e "require('./p')"`,
        'node ../escape.js',
      ]),
    ).toEqual(expect.arrayContaining(['install.js', 'scripts/post', 'scripts/post.js', 'lib/x.mjs', 'p.js']));
    expect(filesRunBy(['node ../escape.js'])).toEqual([]);
  });

  it('is a gzip stream it cannot read: the tarball reader refuses it before the scanner sees anything', async () => {
    await expect(scanTarball(gzipSync(Buffer.from('not a tar archive at all')))).rejects.toMatchObject({
      code: expect.any(String),
    });
  });
});

describe('the rule file', () => {
  const bundled = JSON.parse(readFileSync(new URL('../../../data/scan-rules.json', import.meta.url), 'utf8')) as {
    rules: object[];
  };
  const rule = (extra: object) => ({
    id: 'r',
    family: 'f',
    description: 'd',
    where: 'file',
    severity: 'warn',
    message: 'm',
    patterns: ['abc'],
    ...extra,
  });

  it('loads the bundled file, which has a version and a message for every rule', () => {
    const set = parseRuleFile(bundled);
    expect(set.version).toMatch(/^\d{4}\./);
    expect(set.rules.every((r) => r.message.length > 0 && r.description.length > 0)).toBe(true);
  });

  it.each([
    ['a nested quantifier', rule({ patterns: ['(a+)+b'] })],
    ['an unbounded dot', rule({ patterns: ['eval.*atob'] })],
    ['an unbounded negated class', rule({ patterns: ['eval[^)]+atob'] })],
    ['a backreference', rule({ patterns: ['(a)\\1'] })],
    ['a huge bound', rule({ patterns: ['a.{0,100000}'] })],
    ['an unknown scope', rule({ where: 'everywhere' })],
    ['an unknown severity', rule({ severity: 'panic' })],
    ['a pattern that is not a regular expression', rule({ patterns: ['(unclosed'] })],
    ['a rule with no patterns', rule({ patterns: undefined })],
  ])('refuses %s', (_what, bad) => {
    expect(() => parseRuleFile({ version: '1', rules: [bad] })).toThrow(RuleFileError);
  });

  it('refuses two rules with one id, and a file without a version', () => {
    expect(() => parseRuleFile({ version: '1', rules: [rule({}), rule({})] })).toThrow(/twice/);
    expect(() => parseRuleFile({ rules: [] })).toThrow(RuleFileError);
  });

  it('accepts bounded repetition', () => {
    expect(() => assertLinear('eval[^\\n]{0,300}atob', 't')).not.toThrow();
    expect(() => assertLinear('(\\\\x[0-9a-f]{2}){80}', 't')).not.toThrow();
  });
});
