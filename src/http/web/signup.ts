// The sign-up page: the same account `npm adduser` makes (domain/accounts/signup.ts), through a
// plain form post. A refusal shows the form again with the reason and its code; the password is
// never echoed back. What to do next (open the mailed link, then `npm login`) is on the page.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Registry } from '../../registry.js';
import { isGatehouseError } from '../../domain/errors.js';
import { html, layout, sendPage } from './html.js';
import { PAGE_ONLY } from './negotiation.js';
import { csrfInput } from './csrf.js';

interface Typed {
  name: string;
  email: string;
}

// A signed-in browser's post must carry its session's CSRF token (csrf.ts); the field is empty otherwise.
function form(request: FastifyRequest, typed: Typed, error?: { code: string; message: string }) {
  return html`<h1>Create an account</h1>
    ${error ? html`<p class="error" role="alert" data-code="${error.code}">${error.message}</p>` : ''}
    <form method="post" action="/signup" class="signin">
      ${csrfInput(request)}
      <label>Username <input name="name" autocomplete="username" required value="${typed.name}" /></label>
      <label>Email <input name="email" type="email" autocomplete="email" required value="${typed.email}" /></label>
      <label>Password <input name="password" type="password" autocomplete="new-password" required /></label>
      <button type="submit">Create account</button>
    </form>
    <p>You can also run <code>npm adduser</code> against this registry.</p>`;
}

function closed(reply: FastifyReply): FastifyReply {
  const body = html`<h1>Sign-up is closed</h1>
    <p class="refused" data-code="SignupClosed">This registry does not take sign-ups; ask its administrators for an account.</p>`;
  return sendPage(reply, layout('Sign up', body), 403);
}

/** attacker-controlled: a form may repeat a field or leave one out; only single strings count. */
export function field(body: unknown, name: string): string {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value : '';
}

export function registerSignupPages(app: FastifyInstance, registry: Registry): void {
  app.get('/signup', { constraints: PAGE_ONLY }, async (request, reply) => {
    if (!registry.signup.enabled) return closed(reply);
    return sendPage(reply, layout('Sign up', form(request, { name: '', email: '' })));
  });

  app.post('/signup', async (request, reply) => {
    const typed = { name: field(request.body, 'name'), email: field(request.body, 'email') };
    try {
      const password = (request.body as Record<string, unknown> | undefined)?.password;
      const { user } = await registry.signup.signUp(request.context, { ...typed, password }, { token: false });
      const done = html`<h1>Check your mail</h1>
        <p class="done">
          The account <strong>${user.name}</strong> is created. We sent a link to <strong>${user.email}</strong>: open it to
          verify the address. Until then the account cannot publish.
        </p>
        <p>Then sign in from your terminal with <code>npm login --registry ${registry.baseUrl()}</code>.</p>`;
      return sendPage(reply.header('cache-control', 'no-store'), layout('Account created', done), 201);
    } catch (err) {
      if (!isGatehouseError(err)) throw err;
      if (err.code === 'SignupClosed') return closed(reply);
      return sendPage(reply.headers(err.headers), layout('Sign up', form(request, typed, err)), err.status);
    }
  });
}
