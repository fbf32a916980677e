// A local server on 127.0.0.1 speaking Have I Been Pwned's Pwned Passwords range protocol:
// GET /range/{5 hex} answers `SUFFIX:COUNT` lines for the breached passwords it holds, plus, when
// the request says `Add-Padding: true`, made-up suffixes with count 0 as the real API adds. It
// records each request (path and headers) so tests can see that only a prefix was sent.
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';

export interface HibpServer {
  url: string;
  /** Adds a breached password (as its hash: the server never needs the password itself). */
  addBreached(password: string, count: number): void;
  /** Makes the padding contain this password's suffix with count 0, as a real padded answer could. */
  padWith(password: string): void;
  /** 'ok' answers; 'error' answers 503; 'hang' never answers (the client must time out). */
  mode: 'ok' | 'error' | 'hang';
  requests: { url: string; headers: IncomingHttpHeaders }[];
  close(): Promise<void>;
}

function sha1(password: string): string {
  return createHash('sha1').update(password, 'utf8').digest('hex').toUpperCase();
}

export async function startHibpServer(): Promise<HibpServer> {
  const breached = new Map<string, number>();
  const padding = new Set<string>();
  const hanging = new Set<ServerResponse>();
  const state: HibpServer = {
    url: '',
    mode: 'ok',
    requests: [],
    addBreached: (password, count) => void breached.set(sha1(password), count),
    padWith: (password) => void padding.add(sha1(password)),
    close: async () => {
      for (const response of hanging) response.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server: Server = createServer((request, response) => {
    state.requests.push({ url: request.url ?? '', headers: request.headers });
    if (state.mode === 'hang') return void hanging.add(response);
    if (state.mode === 'error') return void response.writeHead(503).end('Service Unavailable');
    const match = /^\/range\/([0-9A-Fa-f]{5})$/.exec(request.url ?? '');
    if (request.method !== 'GET' || !match) return void response.writeHead(400).end('The hash prefix was not in a valid format');
    const prefix = match[1]!.toUpperCase();
    const lines = [...breached].filter(([hash]) => hash.startsWith(prefix)).map(([hash, count]) => `${hash.slice(5)}:${count}`);
    if (request.headers['add-padding'] === 'true') {
      for (const hash of padding) if (hash.startsWith(prefix)) lines.push(`${hash.slice(5)}:0`);
      // The real API pads every answer to between 800 and 1,000 lines.
      while (lines.length < 800) lines.push(`${randomBytes(18).toString('hex').slice(0, 35).toUpperCase()}:0`);
    }
    response.writeHead(200, { 'content-type': 'text/plain' }).end(lines.join('\r\n'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}
