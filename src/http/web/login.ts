// The sign-in page of npm's web login: the CLI printed this page's URL and is polling doneUrl;
// signing in here lets that poll collect a token. A plain form post: no script runs. The page
// says when and from where the login was started, so a person can spot one they did not start.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Registry } from '../../registry.js';
import { fail, isGatehouseError, type GatehouseError } from '../../domain/errors.js';
import type { WebLogin } from '../../domain/accounts/web-login-store.js';
import { auditedLogin } from '../login-audit.js';
import { html, layout, sendPage } from './html.js';
import { time } from './format.js';

function requested(login: WebLogin) {
  const { ip, userAgent } = login.requestedBy;
  return html`<p class="requested">
    This login was started at ${time(login.createdAt)} from <strong>${ip || 'an unknown address'}</strong> ${userAgent
      ? html`by <code>${userAgent}</code>`
      : ''}.
    If you did not just run <code>npm login</code> there, do not sign in: whoever did would receive your token.
  </p>`;
}

function form(login: WebLogin, error?: string, name = '') {
  return html`<h1>Sign in to finish <code>npm login</code></h1>
    ${requested(login)} ${error ? html`<p class="error" role="alert">${error}</p>` : ''}
    <form method="post" action="/login/cli/${login.id}" class="signin">
      <label>Username <input name="username" autocomplete="username" required value="${name}" /></label>
      <label>Password <input name="password" type="password" autocomplete="current-password" required /></label>
      <button type="submit">Sign in</button>
    </form>`;
}

/** The link cannot be used (expired, used, already signed in on): say so, without a form. */
function refusal(reply: FastifyReply, err: GatehouseError): FastifyReply {
  const title = err.code === 'WebLoginAlreadyApproved' ? 'Already signed in' : 'Link expired';
  const body = html`<h1>${title}</h1>
    <p class="refused">${err.message}</p>`;
  return sendPage(reply.headers(err.headers), layout('Sign in', body), err.status);
}

/** attacker-controlled: a form may repeat a field (`username=a&username=b`) or send JSON. */
function signInFields(body: unknown): { username: string; password: string } {
  const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const { username, password } = fields;
  if (typeof username !== 'string' || typeof password !== 'string') {
    fail('BadRequest', 'Fill in the username and the password, once each.');
  }
  return { username, password };
}

export function registerLoginPages(app: FastifyInstance, registry: Registry): void {
  app.get<{ Params: { id: string } }>('/login/cli/:id', async (request, reply) => {
    try {
      const login = await registry.webLogins.pending(request.params.id);
      return sendPage(reply, layout('Sign in', form(login)));
    } catch (err) {
      if (!isGatehouseError(err)) throw err;
      return refusal(reply, err);
    }
  });

  app.post<{ Params: { id: string } }>('/login/cli/:id', async (request, reply) => {
    const id = request.params.id;
    const typed = (request.body as { username?: unknown } | undefined)?.username;
    const name = typeof typed === 'string' ? typed : '';
    try {
      const { username, password } = signInFields(request.body);
      const user = await auditedLogin(request, username, 'web', () =>
        registry.webLogins.approve(request.context, id, username, password),
      );
      const done = html`<h1>Signed in</h1>
        <p class="done">
          You are signed in as <strong>${user.name}</strong>. You can close this page and return to your terminal.
        </p>`;
      return sendPage(reply, layout('Signed in', done));
    } catch (err) {
      if (!isGatehouseError(err)) throw err;
      if (err.code === 'WebLoginNotFound' || err.code === 'WebLoginAlreadyApproved') return refusal(reply, err);
      // A wrong password and the like: the same form again, for the same still-pending login.
      let login: WebLogin;
      try {
        login = await registry.webLogins.pending(id);
      } catch (again) {
        if (!isGatehouseError(again)) throw again;
        return refusal(reply, again);
      }
      return sendPage(reply.headers(err.headers), layout('Sign in', form(login, err.message, name)), err.status);
    }
  });
}
