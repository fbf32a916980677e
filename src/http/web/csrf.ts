// Cross-site request forgery defence for the web UI's form posts. Every POST outside npm's API is
// refused when Origin or Sec-Fetch-Site says another site sent it; every POST from a web session
// must also carry that session's CSRF token (`_csrf`, an HMAC keyed by the cookie's secret; see
// domain/sessions/secrets.ts). Runs before the handler, so a refused post changes nothing.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Registry } from '../../registry.js';
import { fail } from '../../domain/errors.js';
import { csrfToken, csrfTokenMatches, type SessionSecret } from '../../domain/sessions/secrets.js';
import { html, type SafeHtml, type Viewer } from './html.js';

/** The field every state-changing form of a signed-in page carries. */
export const CSRF_FIELD = '_csrf';

/** The hidden field for this request's session; empty for a visitor who is not signed in. */
export function csrfInput(request: FastifyRequest): SafeHtml {
  const secret = request.sessionSecret;
  return secret ? html`<input type="hidden" name="${CSRF_FIELD}" value="${csrfToken(secret as SessionSecret)}" />` : html``;
}

/** Origins a form of ours is posted from: the public URL's, and the one the browser addressed. */
function ownOrigins(request: FastifyRequest, registry: Registry): string[] {
  const own = [new URL(registry.baseUrl()).origin];
  if (typeof request.headers.host === 'string') own.push(`${request.protocol}://${request.headers.host}`);
  return own;
}

// attacker-controlled: Origin and Sec-Fetch-Site are what the browser says about who sent the
// post; a browser tells the truth about them, and a non-browser has no victim's cookie.
// Sec-Fetch-Site decides where a browser sends it. Our pages send `Referrer-Policy: no-referrer`,
// under which Chromium posts our own forms with `Origin: null`: so Origin is consulted only when
// Sec-Fetch-Site is absent (older browsers), and then `null` is not ours.
function checkSender(request: FastifyRequest, registry: Registry): void {
  const site = request.headers['sec-fetch-site'];
  const origin = request.headers.origin;
  const foreign =
    site !== undefined
      ? site !== 'same-origin' && site !== 'none'
      : origin !== undefined && !ownOrigins(request, registry).includes(origin);
  if (foreign) fail('CrossSiteRequest', 'This form was sent from another site; nothing was changed. Use the form on this site.');
}

function sentToken(body: unknown): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[CSRF_FIELD] : undefined;
}

export function registerCsrfCheck(app: FastifyInstance, registry: Registry): void {
  app.addHook('preHandler', async (request) => {
    if (request.method !== 'POST' || request.url.startsWith('/-/')) return;
    checkSender(request, registry);
    if (request.context.principal.kind !== 'session') return;
    const secret = request.sessionSecret as SessionSecret;
    if (!csrfTokenMatches(secret, sentToken(request.body))) {
      fail(
        'CsrfTokenInvalid',
        'This form has expired or did not come from this site; nothing was changed. Reload the page and try again.',
      );
    }
  });
}

/** The header's signed-in corner for this request, when a web session asked. */
export function viewerOf(request: FastifyRequest): Viewer | undefined {
  const principal = request.context.principal;
  return principal.kind === 'session' ? { name: principal.user.name, csrf: csrfInput(request) } : undefined;
}
