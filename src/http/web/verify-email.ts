// The page the verification mail links to: opening it verifies the address (proof enough that
// its reader got the mail). A refused link (forged, used, expired, another account's) gets a
// page saying which, with its code, and changes nothing. Also the page and the API that send a
// new link: the page proves the account by its password, the API by the caller's token.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Registry } from '../../registry.js';
import { isGatehouseError, type GatehouseError } from '../../domain/errors.js';
import { html, layout, sendPage } from './html.js';
import { PAGE_ONLY } from './negotiation.js';
import { csrfInput } from './csrf.js';
import { field } from './signup.js';

const TITLES: Partial<Record<string, string>> = {
  VerificationLinkUsed: 'Link already used',
  VerificationLinkExpired: 'Link expired',
  VerificationLinkWrongAccount: 'Link for another account',
};

function refusal(reply: FastifyReply, err: GatehouseError): FastifyReply {
  const body = html`<h1>${TITLES[err.code] ?? 'Link not valid'}</h1>
    <p class="refused" data-code="${err.code}">${err.message}</p>
    <p><a href="/verify-email">Ask for a new link</a></p>`;
  return sendPage(reply.headers(err.headers), layout('Verify email', body), err.status);
}

// A signed-in browser's post must carry its session's CSRF token (csrf.ts); the field is empty otherwise.
function resendForm(request: FastifyRequest, error?: GatehouseError) {
  return html`<h1>Send a new verification link</h1>
    ${error ? html`<p class="error" role="alert" data-code="${error.code}">${error.message}</p>` : ''}
    <form method="post" action="/verify-email" class="signin">
      ${csrfInput(request)}
      <label>Username <input name="username" autocomplete="username" required /></label>
      <label>Password <input name="password" type="password" autocomplete="current-password" required /></label>
      <button type="submit">Send link</button>
    </form>`;
}

export function registerVerifyEmailPages(app: FastifyInstance, registry: Registry): void {
  app.get<{ Params: { secret: string } }>('/verify-email/:secret', { constraints: PAGE_ONLY }, async (request, reply) => {
    // The link is a secret: no cache, and no Referer to whatever the page links to (sendPage).
    reply.header('cache-control', 'no-store');
    try {
      const { name, email } = await registry.verification.verify(request.context, request.params.secret);
      const body = html`<h1>Email verified</h1>
        <p class="done" data-code="EmailVerified">
          <strong>${email}</strong> is verified for the account <strong>${name}</strong>. It can publish now.
        </p>`;
      return sendPage(reply, layout('Email verified', body));
    } catch (err) {
      if (!isGatehouseError(err)) throw err;
      return refusal(reply, err);
    }
  });

  app.get('/verify-email', { constraints: PAGE_ONLY }, async (request, reply) =>
    sendPage(reply, layout('Verify email', resendForm(request))),
  );

  app.post('/verify-email', async (request, reply) => {
    try {
      const { email } = await registry.verification.resendByPassword(
        field(request.body, 'username'),
        field(request.body, 'password'),
        request.context,
      );
      const body = html`<h1>Link sent</h1>
        <p class="done">A new verification link is on its way to <strong>${email}</strong>.</p>`;
      return sendPage(reply, layout('Link sent', body), 202);
    } catch (err) {
      if (!isGatehouseError(err)) throw err;
      return sendPage(reply.headers(err.headers), layout('Verify email', resendForm(request, err)), err.status);
    }
  });

  // For a client with a token (an unverified account's `npm adduser` token included).
  app.post('/-/gatehouse/v1/email/verification', async (request, reply) => {
    const { email } = await registry.verification.resend(request.context);
    return reply.code(202).send({ ok: true, email });
  });
}
