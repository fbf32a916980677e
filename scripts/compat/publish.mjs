// Publishes one cached tarball to the test Gatehouse exactly as `npm publish file.tgz` would send
// it: npm 11's own pacote builds the manifest and its libnpmpublish sends it. Never runs
// `npm publish` (a package's publishConfig.registry could redirect it) and never talks to any
// registry but the test server's URL.

import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

// npm's bundled modules, so the document is the one the installed npm would build.
export const NPM_ROOT = '/usr/lib/node_modules/npm/';
const npmRequire = createRequire(NPM_ROOT);
const pacote = npmRequire('pacote');
const { publish: libpub } = npmRequire('libnpmpublish');
const NPM_VERSION = npmRequire('./package.json').version;
const LOCAL_REFUSALS = new Set(['EPRIVATE', 'EUNSCOPED', 'EBADSEMVER']);

/**
 * One publish. Outcome: { outcome: 'accepted' }, { outcome: 'refused', status, code, error },
 * or { outcome: 'not-sent', error } when npm itself would have failed before sending anything.
 */
export async function publishTarball({ file, registry, token, tag, npmCache }) {
  const opts = {
    registry,
    cache: npmCache,
    forceAuth: { token },
    npmVersion: NPM_VERSION,
    userAgent: `npm/${NPM_VERSION} node/${process.version} ${process.platform} ${process.arch} workspaces/false`,
    // A report of what the server answered: no retries that could turn a 500 into a success.
    retry: { retries: 0 },
  };
  let manifest;
  try {
    manifest = await pacote.manifest(`file:${file}`, { ...opts, fullMetadata: true, fullReadJson: true });
  } catch (err) {
    return { outcome: 'not-sent', error: `npm cannot read the tarball: ${err.code ?? ''} ${err.message}`.trim() };
  }
  // npm publish applies publishConfig over its options; of those, only access shapes the document.
  // registry is ignored on purpose (the test server only), and provenance needs a CI runner.
  const access = ['public', 'restricted'].includes(manifest.publishConfig?.access) ? manifest.publishConfig.access : undefined;
  const tarball = readFileSync(file);
  try {
    await libpub(manifest, tarball, { ...opts, defaultTag: tag, ...(access ? { access } : {}) });
    return { outcome: 'accepted', tag: manifest.tag || tag, approxBodyBytes: approxBodyBytes(manifest, tarball) };
  } catch (err) {
    // libnpmpublish's own refusals, before any request: npm publish would stop there too.
    if (LOCAL_REFUSALS.has(err.code)) return { outcome: 'not-sent', error: `${err.code} ${err.message}` };
    // No answer at all: a server that closed the connection on this upload is a finding if it
    // still answers others; a server that is down means the harness failed, not the package.
    if (typeof err.statusCode !== 'number') {
      if (!(await answers(registry))) throw err;
      const error = `no HTTP answer: ${err.code ?? ''} ${err.message}`.trim();
      return { outcome: 'refused', status: 0, code: '(no answer)', error, approxBodyBytes: approxBodyBytes(manifest, tarball) };
    }
    const body = err.body && typeof err.body === 'object' ? err.body : {};
    return {
      outcome: 'refused',
      status: err.statusCode,
      code: typeof body.code === 'string' ? body.code : `(no code; HTTP ${err.statusCode})`,
      error: typeof body.error === 'string' ? body.error : String(err.body ?? err.message).slice(0, 500),
      approxBodyBytes: approxBodyBytes(manifest, tarball),
    };
  }
}

/** The publish body's size as libnpmpublish builds it: the manifest, twice-wrapped, plus base64 of the tarball. */
function approxBodyBytes(manifest, tarball) {
  return Buffer.byteLength(JSON.stringify(manifest)) + Math.ceil(tarball.length / 3) * 4 + 1024;
}

async function answers(registry) {
  try {
    await (await fetch(new URL('-/ping', registry))).arrayBuffer();
    return true;
  } catch {
    return false;
  }
}
