// A stand-in for Sigstore's TUF repository (tuf-repo-cdn.sigstore.dev) on 127.0.0.1, for
// `npm audit signatures` offline. npm always refreshes that repository first and aborts on any
// failure but "target not found" (npm/lib/utils/verify-signatures.js, @sigstore/tuf), so this serves
// a real, signed TUF repository (root, timestamp, snapshot, targets: TUF spec 1.0) that lists no
// keys for the registry under test. npm reaches it through an HTTP CONNECT proxy (`https_proxy`,
// read by @npmcli/agent) that sends only that host to a local TLS server whose self-signed
// certificate npm trusts through NODE_EXTRA_CA_CERTS. npm's cache gets our root.json as its trust
// root, which is what a fresh cache would take from @sigstore/tuf's seeds.
import { execFileSync } from 'node:child_process';
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type AddressInfo } from 'node:net';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MIRROR_HOST = 'tuf-repo-cdn.sigstore.dev';

export interface TufMirror {
  /** Environment for the client: the proxy and the certificate to trust. */
  env: NodeJS.ProcessEnv;
  /** Paths the client fetched from the mirror, in order. */
  requests: string[];
  /** Puts the trust root where npm's TUF client looks (`<npm cache>/_tuf/<mirror host>/root.json`). */
  seed(npmCacheDir: string): Promise<void>;
  close(): Promise<void>;
}

/** TUF's canonical JSON for what we sign: sorted keys, no spaces (our values are plain ASCII). */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** `targets`: files the repository lists and serves under /targets/ (e.g. a local trusted_root.json). */
function repository(targets: Record<string, string>): Record<string, string> {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const key = {
    keytype: 'ed25519',
    scheme: 'ed25519',
    // The raw 32-byte key in hex (the end of its DER SubjectPublicKeyInfo): a PEM's newlines would
    // be written differently by TUF's canonical JSON than by JSON.stringify.
    keyval: { public: publicKey.export({ type: 'spki', format: 'der' }).subarray(-32).toString('hex') },
  };
  const keyid = createHash('sha256').update(canonical(key)).digest('hex');
  const expires = new Date(Date.now() + 24 * 60 * 60 * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const common = { spec_version: '1.0.31', version: 1, expires };
  const role = { keyids: [keyid], threshold: 1 };
  const signed = (doc: Record<string, unknown>) => envelope(doc, keyid, privateKey);
  return {
    'root.json': signed({
      _type: 'root',
      ...common,
      consistent_snapshot: false,
      keys: { [keyid]: key },
      roles: { root: role, timestamp: role, snapshot: role, targets: role },
    }),
    'timestamp.json': signed({ _type: 'timestamp', ...common, meta: { 'snapshot.json': { version: 1 } } }),
    'snapshot.json': signed({ _type: 'snapshot', ...common, meta: { 'targets.json': { version: 1 } } }),
    // Never a `<registry host>/keys.json`, so npm asks the registry for its keys.
    'targets.json': signed({
      _type: 'targets',
      ...common,
      targets: Object.fromEntries(
        Object.entries(targets).map(([name, text]) => [
          name,
          { length: Buffer.byteLength(text), hashes: { sha256: createHash('sha256').update(text).digest('hex') } },
        ]),
      ),
    }),
    ...Object.fromEntries(Object.entries(targets).map(([name, text]) => [`targets/${name}`, text])),
  };
}

function envelope(doc: Record<string, unknown>, keyid: string, privateKey: KeyObject): string {
  const sig = sign(null, Buffer.from(canonical(doc)), privateKey).toString('hex');
  return JSON.stringify({ signed: doc, signatures: [{ keyid, sig }] });
}

/**
 * `targets`: what the repository lists beside nothing for the registry, e.g. `trusted_root.json`
 * naming a local Sigstore, which sigstore-js takes as its trust root when npm verifies attestations.
 */
export async function startTufMirror(targets: Record<string, string> = {}): Promise<TufMirror> {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-tuf-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '2',
      '-subj',
      `/CN=${MIRROR_HOST}`,
      '-addext',
      `subjectAltName=DNS:${MIRROR_HOST}`,
    ],
    { stdio: 'ignore' },
  );
  const files = repository(targets);
  const requests: string[] = [];
  const tls = createHttpsServer({ key: await readFile(keyFile), cert: await readFile(certFile) }, (req, res) => {
    const path = (req.url ?? '/').replace(/^\//, '');
    requests.push(`/${path}`);
    const body = files[path];
    res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' }).end(body ?? '{}');
  });
  await listen(tls);
  const proxy = createHttpServer((_req, res) => res.writeHead(403).end());
  // Only the mirror's host is tunnelled: anything else npm tried to reach would fail loudly.
  proxy.on('connect', (req, socket, head) => {
    if (req.url !== `${MIRROR_HOST}:443`) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = connect((tls.address() as AddressInfo).port, '127.0.0.1', () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket).pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await listen(proxy);
  const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  return {
    // NODE_USE_ENV_PROXY: npm 12's TUF client uses Node 24's fetch, which reads the proxy variables only then.
    env: { https_proxy: proxyUrl, HTTPS_PROXY: proxyUrl, NODE_EXTRA_CA_CERTS: certFile, NODE_USE_ENV_PROXY: '1' },
    requests,
    async seed(npmCacheDir) {
      const target = join(npmCacheDir, '_tuf', encodeURIComponent(MIRROR_HOST));
      await mkdir(join(target, 'targets'), { recursive: true });
      await writeFile(join(target, 'root.json'), files['root.json']!);
    },
    async close() {
      proxy.closeAllConnections();
      tls.closeAllConnections();
      await Promise.all([close(proxy), close(tls)]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function listen(server: Server): Promise<void> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
