// The account security page (/account): the address and whether it is verified, the second
// factor, this account's live web sessions and tokens with a revoke button each, and its own
// security log. Only for a signed-in browser; everything it changes is a CSRF-checked form post.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Registry } from '../../registry.js';
import type { AccountSecurity } from '../../domain/sessions/account-security.js';
import type { RegistryEvent } from '../../domain/events/store.js';
import type { TokenRecord } from '../../domain/tokens/store.js';
import { registerTokenForm, tokenAccess, tokenForm, tokenLastUse } from './account-tokens.js';
import { html, layout, sendPage, type SafeHtml } from './html.js';
import { time } from './format.js';
import { csrfInput, viewerOf } from './csrf.js';
import { seeOther } from './session.js';
import { PAGE_ONLY } from './negotiation.js';
import { securityKeysSection } from './security-keys.js';
import { keyWritesForm } from './approve-write.js';
import { registerAccountAuditExport } from './account-audit.js';

function revokeButton(request: FastifyRequest, action: string, label: string): SafeHtml {
  return html`<form method="post" action="${action}" class="revoke">
    ${csrfInput(request)}<button type="submit">${label}</button>
  </form>`;
}

/** A table with these column headings (an empty heading for the buttons' column) over `rows`. */
function table(headings: string[], rows: SafeHtml[]): SafeHtml {
  return html`<table>
    <thead>
      <tr>
        ${headings.map((h) => html`<th>${h}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${rows}
    </tbody>
  </table>`;
}

function sessionsSection(request: FastifyRequest, view: AccountSecurity): SafeHtml {
  const rows = view.sessions.map(
    (s) =>
      html`<tr class="session${s.current ? ' current' : ''}" data-session="${s.id}">
        <td>${time(s.createdAt)}${s.current ? html` <strong>(this browser)</strong>` : ''}</td>
        <td>${s.ip}</td>
        <td><code>${s.userAgent}</code></td>
        <td>${time(s.lastSeenAt)}</td>
        <td>
          ${s.current
            ? revokeButton(request, '/logout', 'Sign out here')
            : revokeButton(request, `/account/sessions/${s.id}/revoke`, 'Revoke')}
        </td>
      </tr>`,
  );
  return html`<section id="sessions">
    <h2>Signed-in browsers</h2>
    ${table(['Signed in', 'Address', 'Browser', 'Last active', ''], rows)}
  </section>`;
}

function tokenRows(request: FastifyRequest, tokens: TokenRecord[]): SafeHtml {
  if (tokens.length === 0) return html`<p class="none">None.</p>`;
  const rows = tokens.map(
    (t) =>
      html`<tr class="token" data-token="${t.id}">
        <td><code>${t.display}</code></td>
        <td>${time(t.createdAt)}</td>
        <td>${t.expiresAt ? time(t.expiresAt) : 'never'}</td>
        <td>${t.name}</td>
        <td>${tokenAccess(t)}</td>
        <td>${tokenLastUse(t)}</td>
        <td>${revokeButton(request, `/account/tokens/${t.id}/revoke`, 'Revoke')}</td>
      </tr>`,
  );
  return table(['Token', 'Created', 'Expires', 'Name', 'Access', 'Last used', ''], rows);
}

function tokensSection(request: FastifyRequest, view: AccountSecurity, registry: Registry): SafeHtml {
  return html`<section id="tokens">
    <h2>Session tokens</h2>
    <p>Handed to a client by <code>npm login</code>; they expire.</p>
    <div id="session-tokens">${tokenRows(request, view.tokens.session)}</div>
    <h2>Automation tokens</h2>
    <p>Made for machines (<code>npm token create</code>).</p>
    <div id="automation-tokens">${tokenRows(request, view.tokens.automation)}</div>
    ${tokenForm(request, registry.config.tokenDefaultDays, registry.config.tokenMaxDays)}
  </section>`;
}

/** What happened, with the facts the event recorded; payloads hold no secret, so all of it may be shown. */
function describe(event: RegistryEvent): string {
  const where = event.packageName ? ` ${event.packageName}${event.version ? `@${event.version}` : ''}` : '';
  const facts = Object.entries(event.data as Record<string, unknown>)
    .map(([key, value]) => `${key}: ${Array.isArray(value) ? value.join(', ') : String(value)}`)
    .join('; ');
  return `${event.type}${where}${facts ? ` (${facts})` : ''}`;
}

function logSection(view: AccountSecurity): SafeHtml {
  const rows = view.log.map(
    (e) =>
      html`<tr class="event" data-type="${e.type}">
        <td>${time(e.createdAt)}</td>
        <td>${describe(e)}</td>
        <td>${e.actor.kind === 'user' && e.actor.userId === view.user.id ? 'you' : e.actor.kind}</td>
      </tr>`,
  );
  return html`<section id="security-log">
    <h2>Security log</h2>
    ${table(['When', 'What', 'By'], rows)}
    <p class="export"><a href="/account/audit-log">Download the whole audit log (NDJSON)</a></p>
  </section>`;
}

function accountPage(request: FastifyRequest, view: AccountSecurity, keys: SafeHtml, registry: Registry): SafeHtml {
  const { user, secondFactor } = view;
  const factor =
    secondFactor.forSignIn && secondFactor.forWrites
      ? 'required at sign-in and for publishing and other changes'
      : secondFactor.forSignIn
        ? 'required at sign-in'
        : secondFactor.forWrites
          ? 'required for publishing and other changes'
          : 'not set up';
  return html`<h1>Account security</h1>
    <section id="account">
      <p>Signed in as <strong>${user.name}</strong>.</p>
      <p>
        Email: <span class="email">${user.email}</span> —
        <span class="verified">${user.emailVerified ? 'verified' : 'not verified'}</span>
      </p>
      <p>Second factor: <span class="mfa">${factor}</span></p>
      <p class="changes">
        <a href="/account/two-factor">Authenticator app and recovery codes</a> · <a href="/account/password">Change password</a> ·
        <a href="/account/email">Change email address</a>
      </p>
    </section>
    ${keys} ${sessionsSection(request, view)} ${tokensSection(request, view, registry)} ${logSection(view)}`;
}

export function registerAccountPages(app: FastifyInstance, registry: Registry): void {
  app.get('/account', { constraints: PAGE_ONLY }, async (request, reply) => {
    if (request.context.principal.kind !== 'session') return seeOther(reply, '/login?next=/account');
    const view = await registry.accountSecurity.overview(request.context);
    const registered = await registry.webauthn.list(view.user);
    const keyWrites = registered.length > 0 && (await registry.writeApprovals.guardsWrites(view.user));
    const keys = securityKeysSection(request, registered, keyWritesForm(request, keyWrites));
    return sendPage(
      reply.header('cache-control', 'no-store'),
      layout('Account', accountPage(request, view, keys, registry), viewerOf(request)),
    );
  });

  app.post<{ Params: { id: string } }>('/account/sessions/:id/revoke', async (request, reply) => {
    await registry.sessions.revoke(request.context, request.params.id);
    return seeOther(reply, '/account');
  });

  app.post<{ Params: { id: string } }>('/account/tokens/:id/revoke', async (request, reply) => {
    const id = Number(request.params.id);
    await registry.accountSecurity.revokeToken(request.context, Number.isSafeInteger(id) ? id : -1);
    return seeOther(reply, '/account');
  });

  registerTokenForm(app, registry);
  registerAccountAuditExport(app, registry);
}
