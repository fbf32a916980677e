// The page a write approved with a security key opens on (domain/webauthn/write-approvals.ts):
// npm printed or opened its address after the registry refused the write with `authUrl`. The
// owner signs in (if this browser is not), sees what was asked, from where and when, and touches
// their key; npm's poll then collects the code it resends the write with. The account page's
// switch says whether the account's keys guard its writes at all.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Registry } from '../../registry.js';
import { isGatehouseError } from '../../domain/errors.js';
import { describeWrite } from '../../domain/webauthn/write-approvals.js';
import type { WriteApproval } from '../../domain/webauthn/store.js';
import { html, layout, sendPage, type SafeHtml } from './html.js';
import { time } from './format.js';
import { csrfInput, viewerOf } from './csrf.js';
import { errorLine, seeOther } from './session.js';
import { ceremonyForm } from './security-keys.js';

function requested(approval: WriteApproval): SafeHtml {
  const { ip, userAgent } = approval.requestedBy;
  return html`<p class="requested">
    Asked at ${time(approval.createdAt)} from <strong>${ip || 'an unknown address'}</strong> ${userAgent
      ? html`by <code>${userAgent}</code>`
      : ''}.
    If you did not just run this command there, do not approve it: your account or token may be in someone else’s hands. Revoke
    your tokens on the <a href="/account">account page</a>.
  </p>`;
}

function failure(request: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  if (!isGatehouseError(err)) throw err;
  const body = html`<h1>Not approved</h1>
    ${errorLine(err)}
    <p><a href="/account">Account</a></p>`;
  return sendPage(
    reply.headers(err.headers).header('cache-control', 'no-store'),
    layout('Not approved', body, viewerOf(request)),
    err.status,
  );
}

/** The switch in the account page's key section: whether the keys also approve writes. */
export function keyWritesForm(request: FastifyRequest, guardsWrites: boolean): SafeHtml {
  return html`<form method="post" action="/account/keys/writes" class="key-writes">
    ${csrfInput(request)}
    <p>
      Publishing and other changes from npm:
      <strong class="key-writes-state"
        >${guardsWrites ? 'each waits for approval with your key in the browser' : 'not guarded by your key'}</strong
      >
    </p>
    <input type="hidden" name="on" value="${guardsWrites ? '0' : '1'}" />
    ${guardsWrites
      ? html`<label>Password <input name="password" type="password" autocomplete="current-password" required /></label>
          <button type="submit">Stop asking for my key on writes</button>`
      : html`<button type="submit">Ask for my key on every write</button>`}
  </form>`;
}

export function registerWriteApprovalPages(app: FastifyInstance, registry: Registry): void {
  app.get<{ Params: { id: string } }>('/approve/:id', { config: { secretInPath: true } }, async (request, reply) => {
    const here = `/approve/${encodeURIComponent(request.params.id)}`;
    if (request.context.principal.kind !== 'session') return seeOther(reply, `/login?next=${encodeURIComponent(here)}`);
    try {
      const { approval, user } = await registry.writeApprovals.pending(request.context, request.params.id);
      const session = request.context.principal.session.id;
      const options = await registry.webauthn.secondFactorOptions(user, session);
      const body = html`<h1>Approve: ${describeWrite(approval.action)}?</h1>
        <p>You are signed in as <strong>${user.name}</strong>.</p>
        ${requested(approval)} ${ceremonyForm(request, 'get', options, here, 'Approve with a security key', '', 'approve-write')}`;
      return sendPage(reply.header('cache-control', 'no-store'), layout('Approve', body, viewerOf(request)));
    } catch (err) {
      return failure(request, reply, err);
    }
  });

  app.post<{ Params: { id: string } }>('/approve/:id', { config: { secretInPath: true } }, async (request, reply) => {
    try {
      const webauthn = (request.body as { webauthn?: unknown } | undefined)?.webauthn;
      const approval = await registry.writeApprovals.approve(request.context, request.params.id, webauthn);
      const body = html`<h1>Approved</h1>
        <p class="done">
          You approved: ${describeWrite(approval.action)}. The terminal goes on by itself; you can close this page.
        </p>`;
      return sendPage(reply.header('cache-control', 'no-store'), layout('Approved', body, viewerOf(request)));
    } catch (err) {
      return failure(request, reply, err);
    }
  });

  app.post('/account/keys/writes', async (request, reply) => {
    const { on, password } = (request.body ?? {}) as { on?: unknown; password?: unknown };
    try {
      await registry.writeApprovals.setGuardsWrites(request.context, on === '1', password);
      return seeOther(reply, '/account#security-keys');
    } catch (err) {
      return failure(request, reply, err);
    }
  });
}
