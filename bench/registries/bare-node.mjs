// A bare `node:http` server answering the mirrored corpus from memory: the very bytes and headers
// Gatehouse sent (bench/mirror.mjs), with no routing, auth or framework. It is the ceiling of one
// Node process on this machine, the figure Gatehouse's fast path is measured against.
// Run as a child: `node bare-node.mjs <root> <port>`; listens on 127.0.0.1 only.

import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startServer } from '../processes.mjs';
import { BARE_INDEX } from '../mirror.mjs';

const CORGI = 'application/vnd.npm.install-v1+json';

function serve(root, port) {
  const index = JSON.parse(readFileSync(join(root, BARE_INDEX), 'utf8'));
  const load = ({ file, headers, etag, notModified }) => ({ headers, body: readFileSync(join(root, file)), etag, notModified });
  const packuments = new Map(
    Object.entries(index.packuments).map(([path, p]) => [path, { full: load(p.full), abbreviated: load(p.abbreviated) }]),
  );
  // Tarballs and version documents: one answer per URL, whatever the Accept.
  const others = { ...index.tarballs, ...index.versions };
  const tarballs = new Map(Object.entries(others).map(([path, t]) => [path, load(t)]));
  const missing = load(index.missing);
  // As little as a Node server can do per request: one lookup, one writeHead with a ready list, one
  // end; a revalidation is one string comparison with the answer's ETag.
  createServer((req, res) => {
    const packument = packuments.get(req.url);
    const answer = packument
      ? req.headers.accept?.includes(CORGI)
        ? packument.abbreviated
        : packument.full
      : (tarballs.get(req.url) ?? missing);
    if (answer.etag !== undefined && req.headers['if-none-match'] === answer.etag) {
      res.writeHead(304, answer.notModified);
      res.end();
      return;
    }
    res.writeHead(answer === missing ? 404 : 200, answer.headers);
    res.end(answer.body);
  }).listen(port, '127.0.0.1', () => console.log(`bare node listening on http://127.0.0.1:${port}`));
}

export async function startBareNode({ root, nodeArgs = [] }) {
  const port = await freePort();
  const server = await startServer({
    name: 'bare-node',
    command: process.execPath,
    args: [...nodeArgs, fileURLToPath(import.meta.url), root, String(port)],
    readyPattern: /listening on (http:\/\/127\.0\.0\.1:\d+)/,
  });
  const label = `bare node:http ${process.version}`;
  return {
    name: 'bare',
    label,
    version: process.version,
    url: server.match[1],
    token: null,
    pid: server.child.pid,
    stop: server.stop,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) serve(process.argv[2], Number(process.argv[3]));
