// A bare TCP client for what fetch and inject cannot do: announce a body and send only part of it,
// trickle bytes, or send a URL no HTTP library would. Resolves when the server closes the socket,
// or after `waitMs` with closed: false (a server that keeps waiting for the body).
import { connect } from 'node:net';

export interface RawResponse {
  status: number | undefined;
  headers: Record<string, string>;
  body: string;
  /** The server closed the connection (rather than waiting for the rest of the body). */
  closed: boolean;
}

export interface RawRequest {
  head: string;
  /** Leave the head unfinished (no blank line): for slow-header clients. */
  headUnfinished?: boolean;
  body?: Buffer | string;
  /** Sent one by one, `every` ms apart, after the head and body: a slow client. */
  trickle?: { bytes: number; every: number };
  waitMs?: number;
}

/** A request head: the request line, Host, then `headers` ("Name: value"). */
export function requestHead(method: string, path: string, headers: string[] = []): string {
  return [`${method} ${path} HTTP/1.1`, 'Host: registry.test', ...headers].join('\n');
}

export function rawRequest(url: string, req: RawRequest): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    let closed = false;
    let ticker: NodeJS.Timeout | undefined;
    const finish = () => {
      clearInterval(ticker);
      clearTimeout(timer);
      socket.destroy();
      resolve(parse(Buffer.concat(chunks).toString('latin1'), closed));
    };
    const timer = setTimeout(finish, req.waitMs ?? 5_000);
    socket.on('data', (chunk) => chunks.push(chunk));
    // A reset after the answer is what closing on a half-sent body looks like from here.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
      finish();
    });
    socket.write(req.head.replace(/\r?\n/g, '\r\n') + (req.headUnfinished ? '\r\nX-Slow: ' : '\r\n\r\n'));
    if (req.body !== undefined) socket.write(req.body);
    if (req.trickle) {
      let left = req.trickle.bytes;
      ticker = setInterval(() => {
        if (left-- <= 0 || socket.destroyed) return clearInterval(ticker);
        socket.write('x');
      }, req.trickle.every);
    }
  });
}

function parse(text: string, closed: boolean): RawResponse {
  const end = text.indexOf('\r\n\r\n');
  if (end === -1) return { status: undefined, headers: {}, body: '', closed };
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine!.split(' ')[1]), headers, body: text.slice(end + 4), closed };
}

/** The {"code"} of a JSON error body, or undefined. */
export function codeOf(res: RawResponse): string | undefined {
  try {
    return (JSON.parse(res.body) as { code?: string }).code;
  } catch {
    return undefined;
  }
}
