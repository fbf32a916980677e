// The range format alone, and the bundled list answering range questions as HIBP would: only a
// five-character prefix names a password, padded lines (count 0) are not breaches, and a line
// that does not parse is no breach either.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { breachCount, rangeKey } from '../../../src/domain/credentials/pwned-range.js';
import { OfflinePwnedPasswords } from '../../../src/domain/credentials/offline-list.js';
import { BUNDLED_LIST } from '../../../src/domain/credentials/index.js';

const sha1 = (s: string) => createHash('sha1').update(s, 'utf8').digest('hex').toUpperCase();

describe('range format', () => {
  it('splits the SHA-1 into the five characters sent and the 35 kept', () => {
    // SHA-1("password") = 5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8
    expect(rangeKey('password')).toEqual({ prefix: '5BAA6', suffix: '1E4C9B93F3F0682250B6CF8331B7EE68FD8' });
    // UTF-8, as HIBP hashes: "é" is two bytes.
    expect(rangeKey('é').prefix + rangeKey('é').suffix).toBe(sha1('é'));
  });

  it('counts a listed suffix, in any case and with CRLF line ends', () => {
    const { suffix } = rangeKey('password');
    const body = `0018A45C4D1DEF81644B54AB7F969B88D65:1\r\n${suffix.toLowerCase()}:9545824\r\n00D4F6E8FA6EECAD2A3AA415EEC418D38EC:2`;
    expect(breachCount(body, suffix)).toBe(9545824);
  });

  it('does not count padding lines (count 0), missing suffixes or lines that do not parse', () => {
    const { suffix } = rangeKey('password');
    expect(breachCount(`${suffix}:0\r\n`, suffix)).toBe(0);
    expect(breachCount('0018A45C4D1DEF81644B54AB7F969B88D65:3', suffix)).toBe(0);
    for (const bad of [`${suffix}:`, `${suffix}:-5`, `${suffix}:1.5`, `${suffix}:lots`, `${suffix}0:4`, `X${suffix}:4`, '']) {
      expect(breachCount(bad, suffix)).toBe(0);
    }
  });
});

describe('bundled list', () => {
  const list = new OfflinePwnedPasswords(readFileSync(BUNDLED_LIST, 'utf8'));

  it('holds 30,000 hashes and no password in the clear', () => {
    expect(list.size).toBe(30_000);
    expect(readFileSync(BUNDLED_LIST, 'utf8')).not.toMatch(/password/i);
  });

  it('answers a range with the suffixes under the prefix, so common passwords are found', async () => {
    for (const password of ['password', '123456', 'qwertyuiop', 'password123', 'iloveyou']) {
      const { prefix, suffix } = rangeKey(password);
      const range = await list.range(prefix);
      expect(breachCount(range, suffix), password).toBeGreaterThan(0);
      for (const line of range.split('\n')) expect(line).toMatch(/^[0-9A-F]{35}:\d+$/);
    }
  });

  it('does not list the passwords the test suite signs in with', async () => {
    for (const password of ['pw-alice-correct-horse', 'a long and unusual passphrase 7']) {
      const { prefix, suffix } = rangeKey(password);
      expect(breachCount(await list.range(prefix), suffix)).toBe(0);
    }
  });

  it('answers a malformed prefix with nothing', async () => {
    expect(await list.range('5baa6')).toBe('');
    expect(await list.range('5BAA')).toBe('');
  });

  it('refuses a file that is not in Pwned Passwords format', () => {
    expect(() => new OfflinePwnedPasswords('password\n')).toThrow();
    expect(new OfflinePwnedPasswords(`${sha1('x').toLowerCase()}:2\n\n`).size).toBe(1);
  });
});
