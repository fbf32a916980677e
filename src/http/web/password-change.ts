// The password change page (/account/password): the current password, a new one (screened for
// breaches) and a code when the account has a second factor. It is also the only page a session
// signed in with a leaked password may use: the gate below sends every other page and form there
// until the password has changed (docs/leaked-passwords.md). A change ends every session of the
// account; this browser continues in a new one.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Registry } from '../../registry.js';
import { isGatehouseError, type GatehouseError } from '../../domain/errors.js';
import { mustChangePasswordFirst } from '../../domain/sessions/account-changes.js';
import { html } from './html.js';
import { csrfInput } from './csrf.js';
import { errorLine, localPath, seeOther } from './session.js';
import { codeField, formFields, sendAccountPage, sendWithNewSession } from './account-forms.js';

const PATH = '/account/password';

async function changeForm(request: FastifyRequest, registry: Registry, next: string, failed?: GatehouseError) {
  const principal = request.context.principal;
  const forced = principal.kind === 'session' && mustChangePasswordFirst(principal);
  const needsCode = principal.kind === 'session' && (await registry.secondFactor.required(principal.user, 'auth'));
  return html`<h1>Change your password</h1>
    ${forced
      ? html`<p class="notice" role="alert" data-code="PasswordChangeRequired">
          Your password appears in a known data breach, so attackers try it first. Choose a new one to go on; until then this is
          the only page you can use.
        </p>`
      : ''}
    ${errorLine(failed)}
    <p>Every other browser signed in to this account is signed out when the password changes.</p>
    <form method="post" action="${PATH}" class="password-change">
      ${csrfInput(request)}<input type="hidden" name="next" value="${next}" />
      <label>Current password <input name="current" type="password" autocomplete="current-password" required /></label>
      <label>New password <input name="password" type="password" autocomplete="new-password" required /></label>
      ${needsCode ? codeField() : ''}
      <button type="submit">Change password</button>
    </form>`;
}

/** Paths a session that must change its password may still reach: this page, sign-out, the stylesheet. */
function allowedWhileForced(request: FastifyRequest): boolean {
  const path = request.url.split('?')[0] ?? '';
  return path === PATH || path === '/logout' || path.startsWith('/static/');
}

/**
 * Before every web route: a session that must change its password is sent to this page, and a
 * form it posts elsewhere changes nothing. npm's API never sees a session (a cookie does not
 * authenticate it), so this gate is the web's alone; the legacy login's answer is in docs.
 */
export function registerPasswordChangeGate(app: FastifyInstance): void {
  app.addHook('preHandler', async (request, reply) => {
    const principal = request.context.principal;
    if (principal.kind !== 'session' || !mustChangePasswordFirst(principal) || allowedWhileForced(request)) return;
    const from = request.method === 'GET' || request.method === 'HEAD' ? localPath(request.url, '') : '';
    return seeOther(reply, from ? `${PATH}?next=${encodeURIComponent(from)}` : PATH);
  });
}

export function registerPasswordChangePages(app: FastifyInstance, registry: Registry): void {
  app.get<{ Querystring: { next?: unknown } }>(PATH, async (request, reply) => {
    if (request.context.principal.kind !== 'session') return seeOther(reply, `/login?next=${PATH}`);
    const body = await changeForm(request, registry, localPath(request.query.next));
    return sendAccountPage(request, reply, 'Change password', body);
  });

  app.post(PATH, async (request, reply) => {
    const fields = formFields(request.body);
    const next = localPath(fields.next);
    try {
      const secret = await registry.accountChanges.changePassword(request.context, fields.current, fields.password, fields.code);
      const done = html`<h1>Password changed</h1>
        <p class="done">Your password was changed, and every other browser signed in to this account was signed out.</p>
        <p><a class="continue" href="${next}">Continue</a></p>`;
      return sendWithNewSession(reply, registry, secret, 'Password changed', done);
    } catch (err) {
      if (!isGatehouseError(err)) throw err;
      return sendAccountPage(request, reply, 'Change password', await changeForm(request, registry, next, err), err);
    }
  });
}
