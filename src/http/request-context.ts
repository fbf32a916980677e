// Builds the RequestContext once per request, from the principal auth.ts found and headers a client
// may send in any shape. A malformed X-Forwarded-For, npm-otp or User-Agent is treated as absent or
// cleaned, never refused and never a 500. X-Forwarded-For is believed only from a trusted proxy.
import { BlockList, isIP } from 'node:net';
import { addCidr, listed, parseCidr } from '../domain/access/cidr.js';
import type { FastifyRequest } from 'fastify';
import { ConfigError } from '../config.js';
import type { Principal } from '../domain/access/principal.js';
import type { RequestContext } from '../domain/access/context.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the onRequest hook (auth.ts) for every request that reaches a route. */
    context: RequestContext;
  }
}

/** Longest User-Agent kept; real clients send under 200 characters (npm's is about 80). */
export const USER_AGENT_MAX = 256;
/** Longer X-Forwarded-For values, or more hops, are a forgery or a loop: answered as if absent. */
const FORWARDED_MAX_CHARS = 2048;
const FORWARDED_MAX_HOPS = 32;
const OTP = /^[0-9]{6,8}$/;
const APPROVAL = /^gwa_[A-Za-z0-9_-]{43}$/;

/**
 * The `trustedProxies` setting: comma-separated addresses and CIDR ranges, IPv4 or IPv6.
 * Throws ConfigError naming the bad entry, so a typo stops startup instead of trusting nobody.
 */
export function parseTrustedProxies(list: string): BlockList {
  const trusted = new BlockList();
  for (const raw of list.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const cidr = parseCidr(entry);
    if (!cidr) {
      throw new ConfigError(
        `trustedProxies (GATEHOUSE_TRUSTED_PROXIES): "${entry}" is not an IP address or CIDR range (like 10.0.0.0/8 or fd00::/8).`,
      );
    }
    addCidr(trusted, cidr);
  }
  return trusted;
}

/** An IPv4 client reached over a dual-stack socket shows as ::ffff:a.b.c.d; compare it as IPv4. */
function plainAddress(address: string): string {
  const mapped = /^::ffff:([0-9.]+)$/i.exec(address);
  return mapped?.[1] && isIP(mapped[1]) === 4 ? mapped[1] : address;
}

function isTrusted(trusted: BlockList, address: string): boolean {
  return listed(trusted, address);
}

/**
 * The client's address. Each trusted proxy appends the address it received from, so walking the
 * list from the right past our own proxies, the first address they did not add is the client's;
 * anything further left was written by the client and proves nothing.
 */
export function clientAddress(trusted: BlockList, socketAddress: string, forwarded: string | string[] | undefined): string {
  const socket = plainAddress(socketAddress);
  if (forwarded === undefined || !isTrusted(trusted, socket)) return socket;
  const header = Array.isArray(forwarded) ? forwarded.join(',') : forwarded;
  if (header.length > FORWARDED_MAX_CHARS) return socket;
  const hops = header.split(',').map((hop) => plainAddress(hop.trim()));
  if (hops.length > FORWARDED_MAX_HOPS || hops.some((hop) => isIP(hop) === 0)) return socket;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] as string;
    if (!isTrusted(trusted, hop)) return hop;
  }
  // Every hop is one of ours: the left-most is as far as anyone can vouch for.
  return hops[0] ?? socket;
}

/** Control characters (C0, DEL, C1) and invisible format characters could forge or hide log text. */
export function cleanUserAgent(header: string | undefined): string {
  if (typeof header !== 'string') return '';
  return header.replace(/[\p{Cc}\p{Cf}]/gu, '').slice(0, USER_AGENT_MAX);
}

/** npm sends the one-time password as typed; anything but 6–8 digits is no password at all. */
export function otpOf(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const value = header.trim();
  return OTP.test(value) ? value : undefined;
}

/** The `npm-otp` header when npm resends a write with the code a security-key approval gave it. */
export function approvalOf(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const value = header.trim();
  return APPROVAL.test(value) ? value : undefined;
}

export function buildRequestContext(request: FastifyRequest, principal: Principal, trusted: BlockList): RequestContext {
  return {
    principal,
    clientIp: clientAddress(trusted, request.socket.remoteAddress ?? '', request.headers['x-forwarded-for']),
    userAgent: cleanUserAgent(request.headers['user-agent']),
    otp: otpOf(request.headers['npm-otp']),
    approval: approvalOf(request.headers['npm-otp']),
    requestId: request.id,
  };
}
