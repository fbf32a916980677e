// False positives and speed of the malware scan on real popular packages: `npm pack`s each into a
// cache folder (once), scans it as a publish would (the tarball reader, the scanner inspector and
// the bundled rules; no previous version, no known-bad list), and prints what was held or warned
// about, the false-positive rate (every package here is legitimate) and the scan time per MB.
//   npm run build && node bench/scan-false-positives.mjs [--cache DIR] [--only a,b]
// The list leans on packages with install scripts: native builds, banners, binary downloaders.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { inspectTarball } from '../dist/domain/packages/tarball.js';
import { fileScanner, SCAN_INSPECTOR } from '../dist/domain/scanning/matcher.js';
import { evaluate } from '../dist/domain/scanning/evaluate.js';
import { loadRuleFile } from '../dist/domain/scanning/rules.js';

export const PACKAGES = [
  // install scripts: native builds, prebuilt-binary installers, banners, downloaders
  'esbuild',
  'sharp',
  'bcrypt',
  'node-sass',
  'puppeteer',
  'core-js',
  'core-js-pure',
  'husky',
  'protobufjs',
  '@swc/core',
  'better-sqlite3',
  'canvas',
  'sqlite3',
  'fsevents',
  'cypress',
  'electron',
  'es5-ext',
  'nodemon',
  'deasync',
  '@parcel/watcher',
  're2',
  'argon2',
  'bufferutil',
  'utf-8-validate',
  'node-pty',
  'leveldown',
  'msgpackr-extract',
  'prisma',
  '@prisma/client',
  '@sentry/cli',
  'ngrok',
  'chromedriver',
  'geckodriver',
  'keytar',
  'styled-components@5',
  '@nestjs/core',
  'opencollective-postinstall',
  'node-gyp',
  'grpc',
  'phantomjs-prebuilt',
  'iltorb',
  'microtime',
  'farmhash',
  'ffi-napi',
  'ref-napi',
  'zeromq',
  'kerberos',
  'snappy',
  'lmdb',
  'usb',
  'serialport',
  '@serialport/bindings-cpp',
  'robotjs',
  'node-hid',
  'dtrace-provider',
  'unix-dgram',
  'ssh2',
  'cpu-features',
  'lzma-native',
  'sodium-native',
  'bigint-buffer',
  'tree-sitter',
  'pg-native',
  'libpq',
  'oracledb',
  'ibm_db',
  'odiff-bin',
  'playwright',
  '@playwright/test',
  'edgedriver',
  'nx',
  'turbo',
  'lefthook',
  'simple-git-hooks',
  'yorkie',
  'pre-commit',
  'spawn-sync',
  'uws',
  'couchbase',
  // popular packages without install scripts
  'react',
  'react-dom',
  'lodash',
  'express',
  'axios',
  'typescript',
  'webpack',
  'vue',
  'chalk',
  'commander',
  'debug',
  'moment',
  'uuid',
  'dotenv',
  'jquery',
  'eslint',
  'prettier',
  '@babel/core',
  'rxjs',
  'socket.io',
  'ws',
  'node-fetch',
  'got',
  'request',
  'mongoose',
  'pg',
  'mysql2',
  'redis',
  'jsonwebtoken',
  'bluebird',
  'async',
  'yargs',
  'semver',
  'glob',
  'rimraf',
  'fs-extra',
  'cross-env',
  'concurrently',
  'update-notifier',
  'open',
  'execa',
  'shelljs',
  'npm',
  'pnpm',
  'yarn',
  'vite',
  'rollup',
  'jest',
  'mocha',
  'ts-node',
  'tslib',
  'body-parser',
  'cors',
  'ioredis',
  'sequelize',
  'knex',
  'aws-sdk',
  'firebase',
  'googleapis',
  'puppeteer-core',
  'selenium-webdriver',
  'node-notifier',
  'ora',
  'inquirer',
  'systeminformation',
  'pm2',
  'forever',
  'nodemailer',
];

const { values } = parseArgs({ options: { cache: { type: 'string' }, only: { type: 'string' } } });
const cache = values.cache ?? join(process.cwd(), '.bench', 'scan-packages');
const wanted = values.only ? values.only.split(',') : PACKAGES;
mkdirSync(cache, { recursive: true });

/** The tarball file npm pack writes for a spec, packing it first if the cache lacks it. */
function packed(spec) {
  const marker = join(cache, `${spec.replace(/[/@]/g, '_')}.name`);
  if (existsSync(marker)) return join(cache, readFileSync(marker, 'utf8').trim());
  try {
    const out = execFileSync('npm', ['pack', spec, '--json', '--pack-destination', cache, '--ignore-scripts'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 180_000,
    });
    const file = JSON.parse(out)[0].filename.replace(/^@/, '').replace('/', '-');
    execFileSync('sh', ['-c', `printf %s "$1" > "$2"`, 'sh', file, marker]);
    return join(cache, file);
  } catch (err) {
    process.stderr.write(
      `skipped ${spec}: ${String(err.stderr ?? err.message)
        .split('\n')
        .find(Boolean)}\n`,
    );
    return undefined;
  }
}

const rules = loadRuleFile();
const limits = {
  maxUnpackedBytes: 1024 * 1024 * 1024,
  maxFileCount: 100_000,
  maxPathDepth: 64,
  maxPackageJsonBytes: 1024 * 1024,
};
const scanLimits = { maxFileBytes: 16 * 1024 * 1024, maxTotalBytes: 128 * 1024 * 1024 };
const counts = { allow: 0, warn: 0, quarantine: 0, block: 0 };
const flagged = [];
let unpacked = 0;
let scannedBytes = 0;
let withScanMs = 0;
let withoutScanMs = 0;
let scanned = 0;
let installScripts = 0;

for (const spec of wanted) {
  const file = packed(spec);
  if (!file || !existsSync(file)) continue;
  const tgz = readFileSync(file);
  // The reader alone, then the reader with the scanner: the difference is the scan's cost.
  let t = process.hrtime.bigint();
  await inspectTarball(tgz, limits, { budgetMs: 600_000 });
  withoutScanMs += Number(process.hrtime.bigint() - t) / 1e6;
  t = process.hrtime.bigint();
  const summary = await inspectTarball(tgz, limits, { inspectors: [fileScanner(() => rules, scanLimits)], budgetMs: 600_000 });
  const files = summary.results.get(SCAN_INSPECTOR);
  const outcome = evaluate(rules, { packageJson: summary.packageJson, files, knownBad: [] });
  withScanMs += Number(process.hrtime.bigint() - t) / 1e6;
  scanned += 1;
  unpacked += summary.unpackedSize;
  scannedBytes += files.scannedBytes;
  if (outcome.capabilities.includes('install-script')) installScripts += 1;
  counts[outcome.verdict] += 1;
  if (outcome.verdict !== 'allow') {
    const what = outcome.findings.map((f) => `${f.ruleId} in ${f.where}: ${f.match}`).slice(0, 4);
    flagged.push(
      `${outcome.verdict.padEnd(10)} ${summary.packageJson.name}@${summary.packageJson.version}\n    ${what.join('\n    ')}`,
    );
  }
}

const mb = unpacked / 1024 / 1024;
const scanMs = withScanMs - withoutScanMs;
const rate = (n) => `${((100 * n) / Math.max(1, scanned)).toFixed(1)} %`;
console.log(flagged.join('\n'));
console.log(`
packages scanned          ${scanned} (${installScripts} with install scripts), ${mb.toFixed(1)} MB unpacked, ${(scannedBytes / 1024 / 1024).toFixed(1)} MB read as text
rules                     ${rules.version}, ${rules.rules.length} rules
verdicts                  allow ${counts.allow}, warn ${counts.warn}, quarantine ${counts.quarantine}, block ${counts.block}
false positives           quarantine or block: ${counts.quarantine + counts.block} = ${rate(counts.quarantine + counts.block)}; warn: ${rate(counts.warn)}
read + scan               ${withScanMs.toFixed(0)} ms = ${(withScanMs / mb).toFixed(1)} ms/MB (${(mb / (withScanMs / 1000)).toFixed(1)} MB/s)
scan alone (minus reader) ${scanMs.toFixed(0)} ms = ${(scanMs / mb).toFixed(1)} ms/MB (${(mb / (scanMs / 1000)).toFixed(1)} MB/s)
cache                     ${cache} (${readdirSync(cache).filter((f) => f.endsWith('.tgz')).length} tarballs)`);
