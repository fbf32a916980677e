// The sign-in page of npm's web login: the CLI printed this page's URL and is polling doneUrl.
// Signing in here starts a web session, like /login; a browser already signed in skips that.
// Either way the page then says which client asked (address, User-Agent, when) and waits for an
// explicit Approve, a CSRF-checked post (with the second factor when the account has one): a
// link someone else sent must not hand them a token just because its victim signed in.
// Plain form posts: no script runs.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Registry } from '../../registry.js';
import { isGatehouseError, type GatehouseError } from '../../domain/errors.js';
import type { WebLogin } from '../../domain/accounts/web-login-store.js';
import { html, layout, sendPage } from './html.js';
import { time } from './format.js';
import { csrfInput, viewerOf } from './csrf.js';
import { afterSignIn, credentialFields, errorLine, signInBrowser } from './session.js';
import { approveWithKey, keyStepPage, passkeyButton } from './security-keys.js';

function requested(login: WebLogin) {
  const { ip, userAgent } = login.requestedBy;
  return html`<p class="requested">
    This login was started at ${time(login.createdAt)} from <strong>${ip || 'an unknown address'}</strong> ${userAgent
      ? html`by <code>${userAgent}</code>`
      : ''}.
    If you did not just run <code>npm login</code> there, do not approve it: whoever did would receive a token for your account.
  </p>`;
}

function signInForm(login: WebLogin, failed?: GatehouseError, name = '') {
  return html`<h1>Sign in to finish <code>npm login</code></h1>
    ${requested(login)} ${errorLine(failed)}
    <form method="post" action="/login/cli/${login.id}" class="signin">${credentialFields(name)}</form>`;
}

function approvalForm(
  request: FastifyRequest,
  login: WebLogin,
  name: string,
  askCode: boolean,
  failed?: GatehouseError,
  keyOnly = false,
) {
  // An account with only a key approves with the key's button (security-keys.ts), not this form.
  if (keyOnly && !askCode)
    return html`<h1>Approve <code>npm login</code>?</h1>
      <p>You are signed in as <strong>${name}</strong>.</p>
      ${requested(login)} ${errorLine(failed)}`;
  return html`<h1>Approve <code>npm login</code>?</h1>
    <p>You are signed in as <strong>${name}</strong>.</p>
    ${requested(login)} ${errorLine(failed)}
    <form method="post" action="/login/cli/${login.id}/approve" class="approve">
      ${csrfInput(request)}
      ${askCode
        ? html`<label>One-time code <input name="code" inputmode="numeric" autocomplete="one-time-code" required /></label>`
        : ''}
      <button type="submit">Approve</button>
    </form>`;
}

/** The link cannot be used (expired, used, already approved): say so, without a form. */
function refusal(request: FastifyRequest, reply: FastifyReply, err: GatehouseError): FastifyReply {
  const title = err.code === 'WebLoginAlreadyApproved' ? 'Already approved' : 'Link expired';
  const body = html`<h1>${title}</h1>
    <p class="refused">${err.message}</p>`;
  return sendPage(reply.headers(err.headers), layout('Sign in', body, viewerOf(request)), err.status);
}

function isLinkRefusal(err: GatehouseError): boolean {
  return err.code === 'WebLoginNotFound' || err.code === 'WebLoginAlreadyApproved';
}

/** The page for a pending login: sign in first, or approve when this browser is signed in. */
async function pendingPage(
  request: FastifyRequest,
  reply: FastifyReply,
  registry: Registry,
  id: string,
  failed?: GatehouseError,
) {
  let login: WebLogin;
  try {
    login = await registry.webLogins.pending(id);
  } catch (err) {
    if (!isGatehouseError(err)) throw err;
    return refusal(request, reply, err);
  }
  const principal = request.context.principal;
  const status = failed?.status ?? 200;
  if (failed) reply.headers(failed.headers);
  if (principal.kind !== 'session') {
    const typed = (request.body as { username?: unknown } | undefined)?.username;
    const passkey = await passkeyButton(request, registry, `/login/cli/${encodeURIComponent(login.id)}`);
    const body = html`${signInForm(login, failed, typeof typed === 'string' ? typed : '')} ${passkey}`;
    return sendPage(reply, layout('Sign in', body), status);
  }
  const askCode = await registry.webLogins.asksSecondFactor(principal.user);
  const action = `/login/cli/${login.id}/approve`;
  const key = (await registry.webLogins.asksSecurityKey(principal.user))
    ? await approveWithKey(request, registry, principal.user, action)
    : '';
  const body = html`${approvalForm(request, login, principal.user.name, askCode, failed, key !== '')} ${key}`;
  return sendPage(reply, layout('Approve login', body, viewerOf(request)), status);
}

export function registerLoginPages(app: FastifyInstance, registry: Registry): void {
  app.get<{ Params: { id: string } }>('/login/cli/:id', async (request, reply) =>
    pendingPage(request, reply, registry, request.params.id),
  );

  // Signing in on the page: a web session, then back to the page, which now asks for approval.
  app.post<{ Params: { id: string } }>('/login/cli/:id', async (request, reply) => {
    const id = request.params.id;
    try {
      await registry.webLogins.pending(id);
      const result = await signInBrowser(request, reply, registry);
      const next = `/login/cli/${encodeURIComponent(id)}`;
      if ('keyStep' in result) return keyStepPage(request, reply, registry, result.keyStep, next);
      return afterSignIn(reply, next, result.notice);
    } catch (err) {
      if (!isGatehouseError(err)) throw err;
      if (isLinkRefusal(err)) return refusal(request, reply, err);
      return pendingPage(request, reply, registry, id, err);
    }
  });

  // The id in the path finishes someone's pending login: the access log shows the route only.
  app.post<{ Params: { id: string } }>('/login/cli/:id/approve', { config: { secretInPath: true } }, async (request, reply) => {
    const id = request.params.id;
    const { code, webauthn } = (request.body ?? {}) as { code?: unknown; webauthn?: unknown };
    try {
      const user = await registry.webLogins.approve(
        request.context,
        id,
        typeof code === 'string' ? code : undefined,
        typeof webauthn === 'string' ? webauthn : undefined,
      );
      const done = html`<h1>Login approved</h1>
        <p class="done">
          You approved the login; the terminal is now signed in as <strong>${user.name}</strong>. You can close this page.
        </p>`;
      return sendPage(reply, layout('Login approved', done, viewerOf(request)));
    } catch (err) {
      if (!isGatehouseError(err)) throw err;
      if (isLinkRefusal(err)) return refusal(request, reply, err);
      return pendingPage(request, reply, registry, id, err);
    }
  });
}
