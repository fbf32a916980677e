// What the account page's own forms share (two-factor, password, email): reading a posted form,
// answering a refusal on the form's page with its catalog code, and handing the browser the new
// session a privilege change gave it. The domain decides (domain/sessions/account-changes.ts);
// nothing typed into these forms is ever echoed back.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Registry } from '../../registry.js';
import type { GatehouseError } from '../../domain/errors.js';
import type { SessionSecret } from '../../domain/sessions/secrets.js';
import { html, layout, sendPage, type SafeHtml } from './html.js';
import { viewerOf } from './csrf.js';
import { setSessionCookie } from './session-cookie.js';

/** attacker-controlled: a form body, or anything else; the domain parses each field it uses. */
export function formFields(body: unknown): Record<string, unknown> {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
}

/** The one-time code field, for an account whose second factor guards account changes. */
export function codeField(label = 'Code from your authenticator app, or a recovery code'): SafeHtml {
  return html`<label>${label} <input name="code" autocomplete="one-time-code" required /></label>`;
}

/** A signed-in account page: never cached, since it may carry a CSRF token or codes shown once. */
export function sendAccountPage(
  request: FastifyRequest,
  reply: FastifyReply,
  title: string,
  body: SafeHtml,
  failed?: GatehouseError,
): FastifyReply {
  if (failed) reply.headers(failed.headers);
  return sendPage(reply.header('cache-control', 'no-store'), layout(title, body, viewerOf(request)), failed?.status ?? 200);
}

/**
 * The answer after a privilege change: the new session's cookie, and the page shown without the
 * header's sign-out form, whose CSRF token was the old session's; its links lead on to pages of
 * the new one.
 */
export function sendWithNewSession(
  reply: FastifyReply,
  registry: Registry,
  secret: SessionSecret,
  title: string,
  body: SafeHtml,
): FastifyReply {
  return sendPage(setSessionCookie(reply, registry, secret).header('cache-control', 'no-store'), layout(title, body));
}
