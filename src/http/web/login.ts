// The sign-in page of npm's web login: the CLI printed this page's URL and is polling doneUrl;
// signing in here lets that poll collect a token. A plain form post: no script runs.
import type { FastifyInstance } from 'fastify';
import type { Registry } from '../../registry.js';
import { isGatehouseError } from '../../domain/errors.js';
import { html, layout, sendPage } from './html.js';

function form(id: string, error?: string, name = '') {
  return html`<h1>Sign in to finish <code>npm login</code></h1>
    ${error ? html`<p class="error" role="alert">${error}</p>` : ''}
    <form method="post" action="/login/cli/${id}" class="signin">
      <label>Username <input name="username" autocomplete="username" required value="${name}" /></label>
      <label>Password <input name="password" type="password" autocomplete="current-password" required /></label>
      <button type="submit">Sign in</button>
    </form>`;
}

export function registerLoginPages(app: FastifyInstance, registry: Registry): void {
  app.get<{ Params: { id: string } }>('/login/cli/:id', async (request, reply) => {
    try {
      await registry.accounts.pendingWebLogin(request.params.id);
    } catch (err) {
      if (!isGatehouseError(err)) throw err;
      return sendPage(
        reply,
        layout(
          'Sign in',
          html`<h1>Link expired</h1>
            <p>${err.message}</p>`,
        ),
        404,
      );
    }
    return sendPage(reply, layout('Sign in', form(request.params.id)));
  });

  app.post<{ Params: { id: string }; Body: { username?: string; password?: string } }>(
    '/login/cli/:id',
    async (request, reply) => {
      const { username = '', password = '' } = request.body ?? {};
      try {
        const user = await registry.accounts.approveWebLogin(request.params.id, username, password);
        const done = html`<h1>Signed in</h1>
          <p class="done">
            You are signed in as <strong>${user.name}</strong>. You can close this page and return to your terminal.
          </p>`;
        return sendPage(reply, layout('Signed in', done));
      } catch (err) {
        if (!isGatehouseError(err)) throw err;
        return sendPage(reply, layout('Sign in', form(request.params.id, err.message, username)), err.status);
      }
    },
  );
}
