// Signing in and out on the web: the /login form (username and password) starts a web session
// and sets its cookie; /logout ends it. Both are plain form posts, CSRF-checked (csrf.ts); after
// sign-in the browser goes where it was headed, but only to a page of this site.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Registry } from '../../registry.js';
import { fail, isGatehouseError, type GatehouseError } from '../../domain/errors.js';
import { auditedLogin } from '../login-audit.js';
import { signInNotice, type SignInNotices } from '../../domain/accounts/service.js';
import { html, layout, sendPage } from './html.js';
import { csrfInput, viewerOf } from './csrf.js';
import { clearSessionCookie, setSessionCookie } from './session-cookie.js';
import { PAGE_ONLY } from './negotiation.js';
import type { User } from '../../domain/accounts/store.js';
import { keyStepPage, passkeyButton } from './security-keys.js';

/** attacker-controlled: `next` comes from a link anyone can craft; only a path on this site is followed. */
export function localPath(next: unknown, fallback = '/account'): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || /[\\\s]/.test(next)) return fallback;
  return next.length <= 512 ? next : fallback;
}

/** attacker-controlled: a form may repeat a field (`username=a&username=b`) or send JSON. */
export function signInFields(body: unknown): { username: string; password: string; code: string | undefined } {
  const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const { username, password, code } = fields;
  if (typeof username !== 'string' || typeof password !== 'string' || (code !== undefined && typeof code !== 'string')) {
    fail('BadRequest', 'Fill in the username and the password, once each.');
  }
  return { username, password, code: code === '' ? undefined : code };
}

/** The username, password and one-time code fields with their button, for every sign-in form. */
export function credentialFields(name = '') {
  return html`<label>Username <input name="username" autocomplete="username" required value="${name}" /></label>
    <label>Password <input name="password" type="password" autocomplete="current-password" required /></label>
    <label
      >One-time code, if you set up two-factor authentication <input name="code" inputmode="numeric" autocomplete="one-time-code"
    /></label>
    <button type="submit">Sign in</button>`;
}

/** A refusal on a form page: the message for the person, the catalog code for scripts and tests. */
export function errorLine(failed?: GatehouseError) {
  return failed ? html`<p class="error" role="alert" data-code="${failed.code}">${failed.message}</p>` : '';
}

async function signInPage(request: FastifyRequest, registry: Registry, next: string, failed?: GatehouseError, name = '') {
  const passkey = await passkeyButton(request, registry, next);
  return layout(
    'Sign in',
    html`<h1>Sign in</h1>
      ${errorLine(failed)}
      <form method="post" action="/login" class="signin">
        ${csrfInput(request)}<input type="hidden" name="next" value="${next}" />${credentialFields(name)}
      </form>
      ${passkey}`,
    viewerOf(request),
  );
}

/**
 * Checks the password and starts a web session for this browser (ending one it already had),
 * setting its cookie on `reply`. The CLI's sign-in page (login.ts) signs in the same way.
 */
export async function signInBrowser(
  request: FastifyRequest,
  reply: FastifyReply,
  registry: Registry,
): Promise<{ notice: string | undefined } | { keyStep: User & SignInNotices }> {
  const { username, password, code } = signInFields(request.body);
  const result = await auditedLogin(request, username, 'web', () =>
    registry.sessions.signInOrKeyStep(request.context, username, password, code),
  );
  if ('keyStep' in result) return result;
  setSessionCookie(reply, registry, result.secret);
  return { notice: signInNotice(result.user) };
}

/**
 * Where a sign-in goes next: straight on, or first a page with what the person must know (a
 * leaked password, a dead email domain) and a link on. The header is shown signed out: the new
 * cookie arrives with this very answer.
 */
export function afterSignIn(reply: FastifyReply, next: string, notice: string | undefined): FastifyReply {
  if (!notice) return seeOther(reply, next);
  const body = html`<h1>Signed in</h1>
    <p class="notice" role="alert">${notice}</p>
    <p><a class="continue" href="${next}">Continue</a></p>`;
  return sendPage(reply.header('cache-control', 'no-store'), layout('Signed in', body));
}

/** Where a form post goes next: 303 makes the browser GET it, so a reload never posts again. */
export function seeOther(reply: FastifyReply, path: string): FastifyReply {
  return reply.code(303).header('location', path).header('cache-control', 'no-store').send();
}

export function registerSessionPages(app: FastifyInstance, registry: Registry): void {
  app.get<{ Querystring: { next?: unknown } }>('/login', { constraints: PAGE_ONLY }, async (request, reply) => {
    const next = localPath(request.query.next);
    if (request.context.principal.kind === 'session') return seeOther(reply, next);
    return sendPage(reply, await signInPage(request, registry, next));
  });

  app.post('/login', async (request, reply) => {
    const fields = (request.body ?? {}) as { next?: unknown; username?: unknown };
    const next = localPath(fields.next);
    try {
      const result = await signInBrowser(request, reply, registry);
      if ('keyStep' in result) return keyStepPage(request, reply, registry, result.keyStep, next);
      return afterSignIn(reply, next, result.notice);
    } catch (err) {
      if (!isGatehouseError(err)) throw err;
      const name = typeof fields.username === 'string' ? fields.username : '';
      return sendPage(reply.headers(err.headers), await signInPage(request, registry, next, err, name), err.status);
    }
  });

  app.post('/logout', async (request, reply) => {
    if (request.context.principal.kind === 'session') await registry.sessions.signOut(request.context);
    clearSessionCookie(reply, registry);
    return seeOther(reply, '/');
  });
}
