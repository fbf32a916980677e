// Publish latency: M new versions of a fresh package, one after the other, each as the single HTTP
// PUT npm 11 sends (libnpmpublish), timed from request start to the end of the response.
// Bodies are built before the clock starts, so only the registry's work is measured.

import { packTarball, digests } from './tarball.mjs';
import { packageFiles } from './corpus.mjs';
import { packumentPath } from './wire.mjs';

const PROBE = { name: 'bench-publish-probe', dependencies: { 'bench-semver': '^1.0.0' }, codeSize: 2000, seed: 7 };

/** The body of `npm publish` (shared/reference/npm-registry-protocol.md §2.1). */
export function publishBody(baseUrl, pkg, version) {
  const files = packageFiles(pkg, version);
  const tgz = packTarball(files);
  const manifest = JSON.parse(files['package.json']);
  const filename = `${pkg.name}-${version}.tgz`;
  return {
    _id: pkg.name,
    name: pkg.name,
    description: manifest.description,
    'dist-tags': { latest: version },
    versions: {
      [version]: {
        ...manifest,
        readme: files['README.md'],
        readmeFilename: 'README.md',
        _id: `${pkg.name}@${version}`,
        _nodeVersion: process.versions.node,
        _npmVersion: '11.19.1',
        dist: { ...digests(tgz), tarball: `${baseUrl}/${pkg.name}/-/${filename}` },
      },
    },
    access: null,
    _attachments: {
      [filename]: { content_type: 'application/octet-stream', data: tgz.toString('base64'), length: tgz.length },
    },
  };
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export async function measurePublish(registry, { count }) {
  const bodies = Array.from({ length: count }, (_, i) => JSON.stringify(publishBody(registry.url, PROBE, `1.0.${i}`)));
  const url = registry.url + packumentPath(PROBE.name);
  const headers = {
    'content-type': 'application/json',
    authorization: `Bearer ${registry.token}`,
    'npm-command': 'publish',
  };
  const times = [];
  const failures = [];
  for (const body of bodies) {
    const started = process.hrtime.bigint();
    const res = await fetch(url, { method: 'PUT', headers, body });
    const text = await res.text();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (res.ok) times.push(ms);
    else failures.push(`${res.status} ${text.slice(0, 200)}`);
  }
  times.sort((a, b) => a - b);
  return {
    count,
    ok: times.length,
    p50: times.length ? percentile(times, 50) : null,
    p95: times.length ? percentile(times, 95) : null,
    max: times.at(-1) ?? null,
    failures: failures.length,
    firstFailure: failures[0],
  };
}
