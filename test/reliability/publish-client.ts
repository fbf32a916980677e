// What the reliability tests do over real HTTP: publish a body, read a packument, download a
// tarball and check its bytes against an SRI string. Test-only; it asserts nothing itself, so each
// test decides what an answer means.
import { createHash } from 'node:crypto';

export interface PublishAttempt {
  name: string;
  version: string;
  body: Record<string, unknown>;
  /** The sha512 SRI of the tarball inside `body`, as npm declares it. */
  integrity: string;
}

export interface Answer {
  status: number;
  body: unknown;
}

export function sha512Integrity(bytes: Buffer): string {
  return `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
}

/** The tarball bytes a publish body carries (packageBuilder bodies hold exactly one attachment). */
export function attachedTarball(body: Record<string, unknown>): Buffer {
  const attachments = body._attachments as Record<string, { data: string }>;
  const [only] = Object.values(attachments);
  if (!only) throw new Error('publish body has no attachment');
  return Buffer.from(only.data, 'base64');
}

export function attempt(name: string, version: string, body: Record<string, unknown>): PublishAttempt {
  return { name, version, body, integrity: sha512Integrity(attachedTarball(body)) };
}

export function packagePath(name: string): string {
  // npm sends the scope's slash encoded: PUT /@scope%2fname
  return `/${name.replace('/', '%2f')}`;
}

export async function putPublish(baseUrl: string, token: string, a: PublishAttempt): Promise<Answer> {
  const response = await fetch(`${baseUrl}${packagePath(a.name)}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(a.body),
  });
  return { status: response.status, body: await response.json().catch(() => undefined) };
}

export interface Packument {
  'dist-tags': Record<string, string>;
  versions: Record<string, { dist: { integrity: string; tarball: string } }>;
  maintainers?: { name: string }[];
}

/** The full packument, or undefined on 404. `?write=true` skips the cache, as npm does before writes. */
export async function getPackument(baseUrl: string, name: string): Promise<Packument | undefined> {
  const response = await fetch(`${baseUrl}${packagePath(name)}?write=true`);
  if (response.status === 404) return undefined;
  if (response.status !== 200) throw new Error(`GET ${name}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Packument;
}

export async function download(url: string): Promise<{ status: number; bytes: Buffer }> {
  const response = await fetch(url);
  return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()) };
}

/** Logs in the way `npm login --auth-type=legacy` does and returns the new token. */
export async function login(baseUrl: string, name: string, password: string): Promise<string> {
  const response = await fetch(`${baseUrl}/-/user/org.couchdb.user:${encodeURIComponent(name)}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password }),
  });
  const body = (await response.json()) as { token?: string };
  if (response.status !== 201 || !body.token) throw new Error(`login ${name}: ${response.status} ${JSON.stringify(body)}`);
  return body.token;
}
