// The web session cookie: its name, reading it from a request and setting or clearing it on a
// reply. HttpOnly (no script reads it), SameSite=Lax (other sites' form posts do not carry it),
// Path=/, and Secure with the __Host- prefix when the registry is reached over https. The value
// is the session's secret: never logged (request-log.ts logs no Cookie header).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Registry } from '../../registry.js';

const PLAIN_NAME = 'gatehouse_session';
// RFC 6265bis §4.1.3.2: a __Host- cookie must be Secure, Path=/ and have no Domain, so no
// sibling host or plain-http page can set or shadow it.
const SECURE_NAME = '__Host-gatehouse_session';

function isSecure(registry: Registry): boolean {
  return registry.baseUrl().startsWith('https:');
}

function cookieName(registry: Registry): string {
  return isSecure(registry) ? SECURE_NAME : PLAIN_NAME;
}

/** attacker-controlled: the Cookie header may repeat names or hold anything; the first of ours wins. */
export function readSessionCookie(request: FastifyRequest, registry: Registry): string | undefined {
  const header = request.headers.cookie;
  if (typeof header !== 'string' || header.length > 8192) return undefined;
  const name = cookieName(registry);
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function attributes(registry: Registry): string {
  return `Path=/; HttpOnly; SameSite=Lax${isSecure(registry) ? '; Secure' : ''}`;
}

export function setSessionCookie(reply: FastifyReply, registry: Registry, secret: string): FastifyReply {
  // A session cookie (no Max-Age): it goes when the browser closes; the server's timeouts bound it anyway.
  return reply.header('set-cookie', `${cookieName(registry)}=${secret}; ${attributes(registry)}`);
}

export function clearSessionCookie(reply: FastifyReply, registry: Registry): FastifyReply {
  return reply.header('set-cookie', `${cookieName(registry)}=; Max-Age=0; ${attributes(registry)}`);
}
