// The read fast path, in front of Fastify: a GET or HEAD of a packument, version document or
// tarball whose answer is already in memory is written straight to the socket. Anything it cannot
// answer from memory (a cache miss, an unknown token, a write, any other route) falls through to
// the full app, which writes the same bytes (reads/answers.ts) and fills the caches. It never
// queries, and it serves from memory only what canRead lets this reader see, as the app decides.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { packumentShare, type Registry } from '../registry.js';
import type { PackageName } from '../domain/packages/names.js';
import { parsePackagePath, type PackagePath } from './npm/paths.js';
import { missingPackage, type CachedPackage, type TarballEntry } from '../domain/packages/packument-cache.js';
import { ANONYMOUS, tokenPrincipal, type Principal } from '../domain/access/principal.js';
import { canRead } from '../domain/packages/authorize.js';
import type { Authenticated } from '../domain/tokens/service.js';
import { hashToken, type TokenHash } from '../domain/tokens/format.js';
import type { BlockList, Socket } from 'node:net';
import { clientAddress, parseTrustedProxies } from './request-context.js';
import { addressLimitDenial } from '../domain/tokens/limits.js';
import {
  missingAnswer,
  packumentAnswer,
  peekVersionAnswer,
  notModified,
  sendAnswer,
  sendTarball,
  tarballAnswer,
} from './reads/answers.js';

const SMALL_TARBALL = 512 * 1024;
const LAST_TOKEN = Symbol('last bearer token on this connection');
const RESOLVED_MAX = 20_000;
const RESOLVED_URL_MAX = 300;
/** Paths the web UI and npm's /-/ endpoints own: never package names. */
const NOT_PACKAGES = /^\/(-\/|package\/|static\/|login\/|policies\/|search$|$)/;

export class FastReads {
  private readonly tarballs = new Map<string, Buffer>();
  private readonly resolved = new Map<string, PackagePath>();
  /** The not-found entry each hidden package is answered with, so a refusal allocates nothing. */
  private readonly hidden = new WeakMap<CachedPackage, CachedPackage>();
  private tarballBytes = 0;
  private readonly tarballBudget: number;
  private readonly trustedProxies: BlockList;
  // Cached names were fully checked when the app first read them, so a name in the cache needs
  // no second check, and a name not in it cannot be answered here anyway.
  private readonly cachedName = (raw: string): PackageName | undefined =>
    this.registry.packages.packuments.peek(raw) ? (raw as PackageName) : undefined;

  constructor(private readonly registry: Registry) {
    this.tarballBudget = registry.config.readCacheBytes - packumentShare(registry.config.readCacheBytes);
    this.trustedProxies = parseTrustedProxies(registry.config.trustedProxies);
  }

  /** True when the request was answered here. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const authorization = req.headers.authorization;
    // Looked up once per request: a private read decides with it instead of peeking again.
    let found: Authenticated | undefined;
    if (authorization !== undefined) {
      // A signed-in `?write=true` may be owed a rebuild (reads.ts decides); an anonymous one gets the cache.
      if (q !== -1 && url.includes('write=true', q)) return false;
      found = this.peekToken(req, authorization);
      if (!found) return false;
    }
    const pathname = q === -1 ? url : url.slice(0, q);
    const known = this.resolved.get(pathname);
    const path = known ?? (NOT_PACKAGES.test(pathname) ? undefined : parsePackagePath(pathname, this.cachedName));
    if (!path) return false;
    const entry = this.registry.packages.packuments.peek(path.name);
    if (!entry || !this.answer(req, res, path, entry, found)) return false;
    if (!known) this.remember(pathname, path);
    return true;
  }

  private answer(
    req: IncomingMessage,
    res: ServerResponse,
    path: PackagePath,
    cached: CachedPackage,
    found: Authenticated | undefined,
  ): boolean {
    const entry = this.asReadBy(path.name, cached, found);
    if (!entry) return false;
    if (entry.kind === 'missing') {
      // A tarball's 404 names the tarball, as reads.ts says it whether or not the package is cached.
      if (path.kind !== 'package' && path.kind !== 'version') return false;
      sendAnswer(req, res, missingAnswer(entry));
      return true;
    }
    switch (path.kind) {
      case 'package':
        sendAnswer(req, res, packumentAnswer(entry, req.headers.accept));
        return true;
      case 'version': {
        const answer = peekVersionAnswer(entry, path.spec);
        if (answer) sendAnswer(req, res, answer);
        return answer !== undefined;
      }
      case 'tarball': {
        const tarball = entry.tarballs.get(path.file);
        return tarball !== undefined && this.tarball(req, res, tarball, path.name, path.file);
      }
      default:
        return false;
    }
  }

  /**
   * The entry as this reader may see it. What anonymous may read is served as it is. For anything
   * else canRead decides with the caller's principal, as on the framework path: an allowed reader
   * gets the entry, and a refusal the entry of a package that does not exist (answered here,
   * exactly as a cached miss is). Undefined (fall through) when the token is not in memory.
   */
  private asReadBy(name: string, entry: CachedPackage, found: Authenticated | undefined): CachedPackage | undefined {
    // A registry closed to anonymous readers answers them 401 from the app, never from here.
    if (found === undefined && !this.registry.config.anonymousReads) return undefined;
    // Quarantined versions are shown to their owners and administrators (held.ts), never from
    // memory: a reader who might be one goes to the app, which asks; anonymous gets the cache.
    if (entry.held === true && found !== undefined) return undefined;
    if (entry.kind === 'missing' || canRead(ANONYMOUS, entry).ok) return entry;
    const principal: Principal = found ? tokenPrincipal(found) : ANONYMOUS;
    // The entry carries who may read it (rebuilt on every membership, grant or owner change), so
    // a private read with a token is decided and served from memory like a public one.
    if (canRead(principal, { visibility: entry.visibility, readers: entry.readers, name }).ok) return entry;
    let hidden = this.hidden.get(entry);
    if (!hidden) this.hidden.set(entry, (hidden = missingPackage(name)));
    return hidden;
  }

  /**
   * Keeps the parse of a URL this path has answered, so the next read of it (most reads repeat a
   * URL) skips the parse. A parse never goes stale: the cache entry is looked up on every read.
   * Bounded in count and URL length, so made-up URLs cost at most a few MB and a fresh start.
   */
  private remember(pathname: string, path: PackagePath): void {
    if (pathname.length > RESOLVED_URL_MAX) return;
    if (this.resolved.size >= RESOLVED_MAX) this.resolved.clear();
    this.resolved.set(pathname, path);
  }

  /**
   * A client sends the same Authorization on every request of a keep-alive connection, so the
   * connection keeps the last header's hash and a repeat costs a string comparison, not a
   * SHA-256. The token is still looked up every time: revocation and expiry hold as before.
   */
  private peekToken(req: IncomingMessage, authorization: string): Authenticated | undefined {
    if (!authorization.startsWith('Bearer ')) return undefined;
    const socket = req.socket as Socket & { [LAST_TOKEN]?: { header: string; hash: TokenHash } };
    let last = socket[LAST_TOKEN];
    const secret = authorization.slice(7).trim();
    if (last?.header !== authorization) socket[LAST_TOKEN] = last = { header: authorization, hash: hashToken(secret) };
    const found = this.registry.tokens.peek(secret, last.hash);
    if (found === 'invalid' || found === 'unknown') return undefined;
    const address = () => clientAddress(this.trustedProxies, req.socket.remoteAddress ?? '', req.headers['x-forwarded-for']);
    // Outside its ranges: the app refuses it, with the code, as auth.ts does for every request.
    if (found.token.cidrs !== null && addressLimitDenial(found.token, address())) return undefined;
    this.registry.tokens.recordUse(found.token, address);
    return found;
  }

  private tarball(req: IncomingMessage, res: ServerResponse, tarball: TarballEntry, name: string, file: string): boolean {
    const bytes = this.tarballs.get(tarball.blob);
    if (!bytes) {
      if (tarball.size <= SMALL_TARBALL) void this.load(tarball);
      return false;
    }
    const answer = tarballAnswer(tarball);
    if (!notModified(req, answer)) this.registry.downloads.served(req.method, name, file);
    void sendTarball(req, res, answer, bytes);
    return true;
  }

  /** Small tarballs are kept in memory; their bytes never change, so nothing ever invalidates them. */
  private async load(tarball: TarballEntry): Promise<void> {
    try {
      const bytes = await this.registry.packages.readTarball(tarball);
      if (!bytes || this.tarballs.has(tarball.blob)) return;
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
