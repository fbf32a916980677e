// HTTP to an npm-protocol registry for the client commands: packuments, tarballs and JSON endpoints,
// with npm's retry rule (a network error, 408, 429 or 5xx is retried with exponential backoff,
// honouring Retry-After up to a ceiling) and the token sent only to the registry it belongs to.
// Works against Gatehouse and any other npm registry; a missing endpoint is answered as `undefined`
// so a command can say plainly what that registry does not offer.
import { ClientError } from './errors.js';
import { clientSettings, withSlash } from './npmrc.js';

export interface RegistryClientOptions {
  registry: string;
  token?: string | undefined;
  /** Retries after the first attempt (npm's fetch-retries default is 2). */
  retries?: number;
  /** The first backoff in ms; each retry doubles it (npm's fetch-retry-mintimeout is 10 s; ours is shorter). */
  backoffMs?: number;
  maxBackoffMs?: number;
  userAgent?: string;
  /** Told about each retry ("GET …: 503, retrying in 2 s"). */
  onRetry?: (message: string) => void;
}

const RETRIED_STATUS = new Set([408, 429, 500, 502, 503, 504]);

export class RegistryClient {
  readonly registry: string;
  private readonly token: string | undefined;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly userAgent: string;
  private readonly onRetry: (message: string) => void;

  constructor(opts: RegistryClientOptions) {
    this.registry = withSlash(opts.registry);
    this.token = opts.token;
    this.retries = opts.retries ?? 3;
    this.backoffMs = opts.backoffMs ?? 500;
    this.maxBackoffMs = opts.maxBackoffMs ?? 10_000;
    this.userAgent = opts.userAgent ?? `gatehouse-cli node/${process.version}`;
    this.onRetry = opts.onRetry ?? (() => {});
  }

  /** From --registry/--token and the project's and user's .npmrc, as npm finds them. */
  static fromSettings(flags: { registry?: string; token?: string }, extra: Partial<RegistryClientOptions> = {}, cwd?: string) {
    const { registry, token } = clientSettings(flags, process.env, cwd);
    return new RegistryClient({ registry, token, ...extra });
  }

  url(path: string): URL {
    return new URL(path.replace(/^\/+/, ''), this.registry);
  }

  /** A package's document by its name (`@scope/name` kept with an encoded slash, as npm asks). */
  async packument(name: string, opts: { full?: boolean } = {}): Promise<Record<string, unknown> | undefined> {
    const path = name.startsWith('@') ? `@${encodeURIComponent(name.slice(1))}` : encodeURIComponent(name);
    const accept = opts.full ? 'application/json' : 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*';
    return this.json(path, { accept });
  }

  /** GET a JSON document; undefined on 404 (and 405/501: an endpoint this registry lacks). */
  async json<T = Record<string, unknown>>(path: string, headers: Record<string, string> = {}): Promise<T | undefined> {
    const res = await this.request(this.url(path), { headers: { accept: 'application/json', ...headers } });
    if (res.status === 404 || res.status === 405 || res.status === 501) {
      await res.body?.cancel();
      return undefined;
    }
    await this.assertOk(res);
    return (await res.json()) as T;
  }

  /** POST a JSON body; undefined when the registry lacks the endpoint. */
  async postJson<T = Record<string, unknown>>(path: string, body: unknown): Promise<T | undefined> {
    const res = await this.request(this.url(path), {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status === 404 || res.status === 405 || res.status === 501) {
      await res.body?.cancel();
      return undefined;
    }
    await this.assertOk(res);
    return (await res.json()) as T;
  }

  /** A tarball's bytes (whole: the caller checks them against the pinned integrity before use). */
  async tarball(url: string): Promise<Buffer> {
    const res = await this.request(new URL(url), { headers: { accept: 'application/octet-stream' } });
    await this.assertOk(res);
    return Buffer.from(await res.arrayBuffer());
  }

  /**
   * One request with retries. The token goes only to URLs under this registry (a lockfile's
   * `resolved` may name another host, which must not see it).
   */
  async request(url: URL, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('user-agent', this.userAgent);
    if (this.token && url.href.startsWith(this.registry)) headers.set('authorization', `Bearer ${this.token}`);
    for (let attempt = 0; ; attempt++) {
      let res: Response | undefined;
      let failure: unknown;
      try {
        res = await fetch(url, { ...init, headers, redirect: 'follow' });
        if (!RETRIED_STATUS.has(res.status) || attempt >= this.retries) return res;
      } catch (err) {
        failure = err;
        if (attempt >= this.retries) {
          const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
          throw new ClientError(
            `Cannot reach ${url.origin} (${cause}) after ${attempt + 1} attempts: ${init.method ?? 'GET'} ${url.href}`,
          );
        }
      }
      const wait = this.backoff(attempt, res?.headers.get('retry-after'));
      await res?.body?.cancel();
      this.onRetry(
        `${init.method ?? 'GET'} ${url.href}: ${res ? res.status : describe(failure)}, retrying in ${Math.ceil(wait / 1000)} s`,
      );
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  private backoff(attempt: number, retryAfter: string | null | undefined): number {
    const asked = retryAfter && /^\d+$/.test(retryAfter) ? Number(retryAfter) * 1000 : 0;
    return Math.min(this.maxBackoffMs, Math.max(asked, this.backoffMs * 2 ** attempt));
  }

  private async assertOk(res: Response): Promise<void> {
    if (res.ok) return;
    const body = (await res.json().catch(() => ({}))) as { error?: string; code?: string };
    const detail = body.error ? `: ${body.error}` : '';
    throw new ClientError(`${res.url} answered ${res.status}${body.code ? ` ${body.code}` : ''}${detail}`);
  }
}

function describe(err: unknown): string {
  return (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
}
