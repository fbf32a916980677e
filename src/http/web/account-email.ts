// Changing the account's email address on the web (/account/email), with the domain rules of
// npm's profile API (domain/accounts/email-change.ts): the current password (and a code with a
// second factor); the new address gets a verification link, both addresses are told, and the
// account may go read-only for a while (docs/account-recovery.md). The session rotates after.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Registry } from '../../registry.js';
import { isGatehouseError, type GatehouseError } from '../../domain/errors.js';
import { html } from './html.js';
import { csrfInput } from './csrf.js';
import { errorLine, seeOther } from './session.js';
import { codeField, formFields, sendAccountPage, sendWithNewSession } from './account-forms.js';

const PATH = '/account/email';
const TITLE = 'Change email address';

async function changeForm(request: FastifyRequest, registry: Registry, failed?: GatehouseError) {
  const principal = request.context.principal;
  if (principal.kind !== 'session') return html``;
  const needsCode = await registry.secondFactor.required(principal.user, 'auth');
  return html`<h1>${TITLE}</h1>
    ${errorLine(failed)}
    <p>Now: <span class="email">${principal.user.email}</span>.</p>
    <p>
      The new address must be verified before it can be used for recovery, and both addresses are told of the change. After it,
      the account may be read-only for a while (no publishing, tokens or owner changes): see the
      <a href="/policies/account-recovery">account recovery policy</a>.
    </p>
    <form method="post" action="${PATH}" class="email-change">
      ${csrfInput(request)}
      <label>New email address <input name="email" type="email" autocomplete="email" required /></label>
      <label>Current password <input name="password" type="password" autocomplete="current-password" required /></label>
      ${needsCode ? codeField() : ''}
      <button type="submit">Change email address</button>
    </form>`;
}

export function registerEmailChangePages(app: FastifyInstance, registry: Registry): void {
  app.get(PATH, async (request, reply) => {
    if (request.context.principal.kind !== 'session') return seeOther(reply, `/login?next=${PATH}`);
    return sendAccountPage(request, reply, TITLE, await changeForm(request, registry));
  });

  app.post(PATH, async (request, reply) => {
    const f = formFields(request.body);
    try {
      const secret = await registry.accountChanges.changeEmail(request.context, f.email, f.password, f.code);
      const done = html`<h1>Email address changed</h1>
        <p class="done">We sent a verification link to the new address, and told the old one of the change.</p>
        <p><a class="continue" href="/account">Back to your account</a></p>`;
      return sendWithNewSession(reply, registry, secret, TITLE, done);
    } catch (err) {
      if (!isGatehouseError(err)) throw err;
      return sendAccountPage(request, reply, TITLE, await changeForm(request, registry, err), err);
    }
  });
}
