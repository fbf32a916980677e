// Password reset by email, as plain form posts that carry their own proof (the mailed link's
// secret): ask for a link (always the same answer, whether or not the account exists), open it,
// choose a new password (and give a code when the account has a second factor). A refused link
// gets a page saying which, with its code, and changes nothing. The domain decides everything
// (domain/accounts/recovery.ts); passwords and codes are never echoed back.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Registry } from '../../registry.js';
import { isGatehouseError, type GatehouseError } from '../../domain/errors.js';
import { html, layout, sendPage } from './html.js';
import { PAGE_ONLY } from './negotiation.js';
import { field } from './signup.js';

const TITLE = 'Reset password';

const LINK_TITLES: Partial<Record<string, string>> = {
  ResetLinkInvalid: 'Link not valid',
  ResetLinkUsed: 'Link already used',
  ResetLinkExpired: 'Link expired',
  ResetLinkWrongAccount: 'Link for another account',
};

function errorLine(error?: { code: string; message: string }) {
  return error ? html`<p class="error" role="alert" data-code="${error.code}">${error.message}</p>` : '';
}

function askForm(error?: GatehouseError) {
  return html`<h1>Reset your password</h1>
    ${errorLine(error)}
    <form method="post" action="/reset-password" class="signin">
      <label>Username or email <input name="login" autocomplete="username" required /></label>
      <button type="submit">Send a reset link</button>
    </form>
    <p>See the <a href="/policies/account-recovery">account recovery policy</a> for other ways back into an account.</p>`;
}

function newPasswordForm(secret: string, view: { name: string; needsCode: boolean }, error?: GatehouseError) {
  return html`<h1>Choose a new password</h1>
    <p>For the account <strong>${view.name}</strong>. Every token of the account stops working when it changes.</p>
    ${errorLine(error)}
    <form method="post" action="/reset-password/${secret}" class="signin">
      <label>New password <input name="password" type="password" autocomplete="new-password" required /></label>
      ${view.needsCode
        ? html`<label
            >Code from your authenticator app, or a recovery code <input name="code" autocomplete="one-time-code" required
          /></label>`
        : ''}
      <button type="submit">Change password</button>
    </form>`;
}

function linkRefused(reply: FastifyReply, err: GatehouseError): FastifyReply {
  const body = html`<h1>${LINK_TITLES[err.code] ?? 'Link not valid'}</h1>
    <p class="refused" data-code="${err.code}">${err.message}</p>
    <p><a href="/reset-password">Ask for a new link</a></p>`;
  return sendPage(reply.headers(err.headers), layout(TITLE, body), err.status);
}

const isLinkError = (err: GatehouseError) => err.code in LINK_TITLES;

export function registerResetPasswordPages(app: FastifyInstance, registry: Registry): void {
  const recovery = registry.recovery.passwordReset;

  app.get('/reset-password', { constraints: PAGE_ONLY }, async (_request, reply) => sendPage(reply, layout(TITLE, askForm())));

  app.post('/reset-password', async (request, reply) => {
    try {
      await recovery.request(field(request.body, 'login'));
    } catch (err) {
      if (!isGatehouseError(err)) throw err;
      return sendPage(reply.headers(err.headers), layout(TITLE, askForm(err)), err.status);
    }
    // The same page whatever happened: it never tells whether the account exists or was mailed.
    const body = html`<h1>Check your mail</h1>
      <p class="done" data-code="ResetRequested">
        If an account matches and its verified address can receive mail, a link to choose a new password is on its way. It works
        for ${registry.config.passwordResetMinutes} minutes, once.
      </p>`;
    return sendPage(reply.header('cache-control', 'no-store'), layout(TITLE, body), 202);
  });

  app.get<{ Params: { secret: string } }>('/reset-password/:secret', { constraints: PAGE_ONLY }, async (request, reply) => {
    // The link is a secret: no cache, and no Referer to whatever the page links to (sendPage).
    reply.header('cache-control', 'no-store');
    try {
      const view = await recovery.open(request.context, request.params.secret);
      return sendPage(reply, layout(TITLE, newPasswordForm(request.params.secret, view)));
    } catch (err) {
      if (!isGatehouseError(err)) throw err;
      return linkRefused(reply, err);
    }
  });

  app.post<{ Params: { secret: string } }>('/reset-password/:secret', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const { secret } = request.params;
    try {
      const body = request.body as Record<string, unknown> | undefined;
      const { name } = await recovery.reset(request.context, secret, body?.password, field(body, 'code'));
      const done = html`<h1>Password changed</h1>
        <p class="done" data-code="PasswordChanged">
          The password of <strong>${name}</strong> is changed and every token the account had is revoked. Sign in again with
          <code>npm login --registry ${registry.baseUrl()}</code>.
        </p>`;
      return sendPage(reply, layout('Password changed', done));
    } catch (err) {
      if (!isGatehouseError(err)) throw err;
      if (isLinkError(err)) return linkRefused(reply, err);
      // A refused password or code: the form again, for the same link, with the reason.
      const view = await recovery.open(request.context, secret).catch(() => undefined);
      if (!view) return linkRefused(reply, err);
      return sendPage(reply.headers(err.headers), layout(TITLE, newPasswordForm(secret, view, err)), err.status);
    }
  });
}
