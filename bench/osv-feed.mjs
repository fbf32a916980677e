// Cost of the MAL- feed and of finding a security contact, in-process on dist/ (build first):
// building all.zip for N OSV records (what a cold GET /-/gatehouse/v1/osv/all.zip pays once per
// change), and reading one real tarball with the security-contact inspector (what the first view
// of a version's page pays once). Prints the figures; asserts nothing.
// Usage: node bench/osv-feed.mjs [--records N]
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { osvArchive } from '../dist/domain/malicious/archive.js';
import { toOsvRecord } from '../dist/domain/malicious/osv.js';
import { inspectTarball } from '../dist/domain/packages/tarball.js';
import { securityContactInspector } from '../dist/domain/reports/security-contact.js';

const args = process.argv.slice(2);
const at = args.indexOf('--records');
const RECORDS = at >= 0 ? Number(args[at + 1]) : 10_000;

const records = Array.from({ length: RECORDS }, (_, i) =>
  toOsvRecord(
    {
      id: `MAL-2026-${i + 1}`,
      packageName: `malicious-package-${i}`,
      versions: ['1.0.0', '1.0.1'],
      allVersions: i % 2 === 0,
      summary: `Malicious code in malicious-package-${i} (npm)`,
      details: 'Exfiltrates environment variables to a remote host on install.',
      publishedAt: '2026-01-01T00:00:00.000Z',
      modifiedAt: '2026-01-02T00:00:00.000Z',
      reports: [i],
    },
    'https://registry.example',
  ),
);
const started = performance.now();
const zip = osvArchive(records);
const zipMs = performance.now() - started;
console.log(`all.zip of ${RECORDS} records: ${(zip.length / 1024).toFixed(0)} KiB in ${zipMs.toFixed(0)} ms`);

const limits = { maxUnpackedBytes: 512 * 1024 * 1024, maxFileCount: 100_000, maxPathDepth: 64, maxPackageJsonBytes: 1024 * 1024 };
for (const name of ['webpack-cli-5.1.4.tgz', 'busboy-1.6.0.tgz']) {
  const tgz = readFileSync(new URL(`../test/fixtures/tarballs/${name}`, import.meta.url));
  const runs = [];
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    await inspectTarball(tgz, limits, { inspectors: [securityContactInspector] });
    runs.push(performance.now() - t);
  }
  runs.sort((a, b) => a - b);
  console.log(`security contact of ${name} (${(tgz.length / 1024).toFixed(0)} KiB): median ${runs[10].toFixed(1)} ms`);
}
