// npm's web login, as `npm login --auth-type=web` runs it (npm-profile's webAuth): POST
// /-/v1/login answers {loginUrl, doneUrl}; the person opens loginUrl and approves; meanwhile the
// client polls doneUrl, which answers 202 (with Retry-After) while pending and 200 {token} once
// approved. attacker-controlled: both URLs and the token come from the registry; a doneUrl must be
// http(s) and the token a non-empty string without whitespace (it goes into an npmrc line).
import { ClientError } from '../errors.js';
import { RegistryClient } from '../registry-client.js';

export interface WebLoginOptions {
  /** Shown the URL the person must open (printed, and opened in a browser on a terminal). */
  onLoginUrl(url: string): void;
  /** Give up after this long (npm has no limit; a forgotten terminal should not poll forever). */
  timeoutMs?: number;
  /** The wait when doneUrl sends no Retry-After. */
  defaultPollMs?: number;
  /** The longest wait a Retry-After may ask for between two polls. */
  maxPollMs?: number;
  /** Sleeps; replaced only to observe the waits. */
  sleep?: (ms: number) => Promise<void>;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function httpUrl(value: unknown): URL | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

export async function webLogin(registry: string, opts: WebLoginOptions): Promise<string> {
  // The POST is not retried (npm never retries one): a retry would start a second login. The polls
  // are GETs, retried on a 5xx or a dropped connection like any other read.
  const client = new RegistryClient({ registry, retries: 0 });
  const poller = new RegistryClient({ registry });
  const started = await client.request(client.url('-/v1/login'), {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/json', 'npm-auth-type': 'web' },
    body: '{}',
  });
  if (!started.ok) {
    await started.body?.cancel();
    throw new ClientError(
      `${client.registry} offers no web login (POST /-/v1/login answered ${started.status}); use \`npm login --auth-type=legacy\` there.`,
    );
  }
  const body = (await started.json().catch(() => ({}))) as { loginUrl?: unknown; doneUrl?: unknown };
  const loginUrl = httpUrl(body.loginUrl);
  const doneUrl = httpUrl(body.doneUrl);
  if (!loginUrl || !doneUrl)
    throw new ClientError(`${client.registry} answered the web login without an http(s) loginUrl and doneUrl.`);
  opts.onLoginUrl(loginUrl.href);
  const sleep = opts.sleep ?? sleepFor;
  const deadline = Date.now() + (opts.timeoutMs ?? 10 * 60_000);
  for (;;) {
    const res = await poller.request(doneUrl, { headers: { accept: 'application/json', 'cache-control': 'no-cache' } });
    if (res.status === 202) {
      await res.body?.cancel();
      if (Date.now() >= deadline) throw new ClientError('The login was not approved in time; run gatehouse login again.');
      await sleep(pollWait(res.headers.get('retry-after'), opts));
      continue;
    }
    if (res.status !== 200) {
      const reply = (await res.json().catch(() => ({}))) as { error?: unknown };
      const why = typeof reply.error === 'string' ? `: ${reply.error}` : '';
      throw new ClientError(`The web login failed (${doneUrl.origin} answered ${res.status}${why}).`);
    }
    const done = (await res.json().catch(() => ({}))) as { token?: unknown };
    if (typeof done.token !== 'string' || !/^\S+$/.test(done.token))
      throw new ClientError('The registry approved the login but sent no usable token.');
    return done.token;
  }
}

/** Retry-After in seconds (npm-profile reads it the same way); absent or 0: the default wait. */
function pollWait(retryAfter: string | null, opts: WebLoginOptions): number {
  const seconds = retryAfter !== null && /^\d+$/.test(retryAfter.trim()) ? Number(retryAfter.trim()) : 0;
  const wait = seconds > 0 ? seconds * 1000 : (opts.defaultPollMs ?? 1000);
  return Math.min(wait, opts.maxPollMs ?? 60_000);
}
