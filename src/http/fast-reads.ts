// The read fast path, in front of Fastify: a GET or HEAD of a packument or tarball whose answer
// is already in memory is written straight to the socket. Anything it cannot answer from memory
// (a cache miss, an unknown token, a write, any other route) falls through to the full app, which
// answers the same way and fills the caches. It never runs policy and never queries.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { packumentShare, type Registry } from '../registry.js';
import { parsePackagePath, splitUrl } from './npm/paths.js';
import { ABBREVIATED } from './npm/reads.js';
import type { CachedPackage, TarballEntry } from '../domain/packages/packument-cache.js';

const SMALL_TARBALL = 512 * 1024;
/** Paths the web UI and npm's /-/ endpoints own: never package names. */
const NOT_PACKAGES = /^\/(-\/|package\/|static\/|login\/|policies\/|search(\?|$)|\?|$)/;

export class FastReads {
  private readonly tarballs = new Map<string, Buffer>();
  private tarballBytes = 0;
  private readonly tarballBudget: number;

  constructor(private readonly registry: Registry) {
    this.tarballBudget = registry.config.readCacheBytes - packumentShare(registry.config.readCacheBytes);
  }

  /** True when the request was answered here. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const url = req.url ?? '/';
    const authorization = req.headers.authorization;
    // A signed-in `?write=true` may be owed a rebuild (reads.ts decides); an anonymous one gets the cache.
    if (NOT_PACKAGES.test(url) || (authorization !== undefined && url.includes('write=true'))) return false;
    if (authorization !== undefined && !this.knownToken(authorization)) return false;
    const path = parsePackagePath(splitUrl(url).path);
    if (!path || (path.kind !== 'package' && path.kind !== 'tarball')) return false;
    const entry = this.registry.packages.packuments.peek(path.name);
    if (!entry) return false;
    if (entry.kind === 'missing') return this.notFound(res, entry.message);
    if (path.kind === 'package') return this.packument(req, res, entry);
    const tarball = entry.tarballs.get(path.file);
    if (!tarball) return false;
    return this.tarball(req, res, tarball, path.name, path.file);
  }

  private knownToken(authorization: string): boolean {
    if (!authorization.startsWith('Bearer ')) return false;
    const found = this.registry.tokens.peek(authorization.slice(7).trim());
    return found !== 'invalid' && found !== 'unknown';
  }

  private notFound(res: ServerResponse, message: string): true {
    const body = JSON.stringify({ error: message, message, code: 'NotFound' });
    res.writeHead(404, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
    return true;
  }

  private packument(req: IncomingMessage, res: ServerResponse, entry: Extract<CachedPackage, { kind: 'found' }>): true {
    const abbreviated = req.headers.accept?.includes(ABBREVIATED) ?? false;
    const doc = abbreviated ? entry.abbreviated : entry.full;
    const headers = {
      etag: doc.etag,
      vary: 'accept',
      'cache-control': 'public, max-age=0, must-revalidate',
    };
    if (req.headers['if-none-match'] === doc.etag) {
      res.writeHead(304, headers);
      res.end();
      return true;
    }
    res.writeHead(200, {
      ...headers,
      'content-type': abbreviated ? ABBREVIATED : 'application/json; charset=utf-8',
      'content-length': doc.body.length,
    });
    res.end(req.method === 'HEAD' ? undefined : doc.body);
    return true;
  }

  private tarball(req: IncomingMessage, res: ServerResponse, tarball: TarballEntry, name: string, file: string): boolean {
    const bytes = this.tarballs.get(tarball.blob);
    if (!bytes) {
      if (tarball.size <= SMALL_TARBALL) void this.load(tarball);
      return false;
    }
    const etag = `"${tarball.blob.slice(0, 32)}"`;
    const headers = { etag, 'cache-control': 'public, max-age=31536000, immutable' };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers);
      res.end();
      return true;
    }
    this.registry.downloads.served(req.method, name, file);
    res.writeHead(200, { ...headers, 'content-type': 'application/octet-stream', 'content-length': bytes.length });
    res.end(req.method === 'HEAD' ? undefined : bytes);
    return true;
  }

  /** Small tarballs are kept in memory; their bytes never change, so nothing ever invalidates them. */
  private async load(tarball: TarballEntry): Promise<void> {
    try {
      const bytes = await readFile(this.registry.blobs.localPath(tarball.blob));
      if (this.tarballs.has(tarball.blob)) return;
      this.tarballs.set(tarball.blob, bytes);
      this.tarballBytes += bytes.length;
      for (const [blob, old] of this.tarballs) {
        if (this.tarballBytes <= this.tarballBudget) break;
        this.tarballs.delete(blob);
        this.tarballBytes -= old.length;
      }
    } catch {
      // A missing blob is the slow path's to report.
    }
  }
}
