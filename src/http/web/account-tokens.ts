// The account page's token form: a signed-in browser makes a granular token (permissions, packages
// and scopes, expiry, CIDR ranges) with its password and, on auth-and-writes, a one-time code.
// The secret is shown once, on the answer page, never again. The same checks as `npm token create`
// (domain/tokens/granular.ts); the form's fields are turned into that request here.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Registry } from '../../registry.js';
import type { TokenRecord } from '../../domain/tokens/store.js';
import { enforce } from '../../domain/access/principal.js';
import { canUseWebAccount } from '../../domain/accounts/authorize.js';
import { TOKEN_SCOPES } from '../../domain/tokens/scopes.js';
import { html, layout, sendPage, type SafeHtml } from './html.js';
import { csrfInput, viewerOf } from './csrf.js';
import { field } from './signup.js';

/** What a row says the token may do: its permissions, and its limits when it has any. */
export function tokenAccess(t: TokenRecord): string {
  const limits = [
    t.packages && `only ${t.packages.join(', ')}`,
    t.cidrs && `from ${t.cidrs.join(', ')}`,
    t.bypass2fa && 'skips 2FA',
  ];
  return [t.scopes.join(', '), ...limits.filter(Boolean)].join('; ');
}

export function tokenLastUse(t: TokenRecord): string {
  return t.lastUsedAt ? `${t.lastUsedAt.slice(0, 16).replace('T', ' ')} from ${t.lastUsedIp ?? 'unknown'}` : 'never';
}

export function tokenForm(request: FastifyRequest, defaultDays: number, maxDays: number): SafeHtml {
  return html`<form method="post" action="/account/tokens" id="new-token">
    <h3>New token</h3>
    ${csrfInput(request)}
    <label>Name <input name="name" maxlength="100" /></label>
    <fieldset>
      <legend>Permissions</legend>
      ${TOKEN_SCOPES.filter((scope) => scope !== 'stage').map(
        (scope) => html`<label><input type="checkbox" name="permissions" value="${scope}" checked /> ${scope}</label>`,
      )}
      <label
        ><input type="checkbox" name="permissions" value="stage" /> stage (with read alone: a CI token that stages versions for
        your approval and publishes nothing)</label
      >
    </fieldset>
    <label>Packages and scopes (empty: all of yours) <input name="packages" placeholder="my-lib @my-scope" /></label>
    <label
      >Expires after (days) <input name="expires" type="number" min="1" max="${String(maxDays)}" value="${String(defaultDays)}"
    /></label>
    <label>CIDR ranges (empty: anywhere) <input name="cidr" placeholder="10.0.0.0/8, fd00::/8" /></label>
    <label
      ><input type="checkbox" name="bypass_2fa" value="on" /> Publishes without a second factor (then it can never change your
      account, tokens or owners)</label
    >
    <label>Password <input name="password" type="password" autocomplete="current-password" required /></label>
    <label
      >One-time code (if you use one for writes) <input name="code" inputmode="numeric" autocomplete="one-time-code"
    /></label>
    <button type="submit">Create token</button>
  </form>`;
}

const words = (text: string) => text.split(/[\s,]+/).filter((w) => w !== '');

/** The form's fields as the request `npm token create` sends; exact names and `@scope`s go apart. */
function requestOf(body: unknown): Record<string, unknown> {
  const form = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const listed = words(field(form, 'packages'));
  const isScope = (w: string) => w.startsWith('@') && !w.includes('/');
  const permissions = form.permissions;
  return {
    name: field(form, 'name'),
    password: form.password,
    permissions: typeof permissions === 'string' ? [permissions] : (permissions ?? []),
    packages: listed.filter((w) => !isScope(w)),
    scopes: listed.filter(isScope),
    expires: field(form, 'expires'),
    cidr_whitelist: words(field(form, 'cidr')),
    bypass_2fa: form.bypass_2fa === 'on',
  };
}

export function registerTokenForm(app: FastifyInstance, registry: Registry): void {
  app.post('/account/tokens', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const { user } = enforce(canUseWebAccount(request.context.principal, 'create a token'));
    const code = field(request.body, 'code');
    const { secret, record } = await registry.granularTokens.createForWeb(
      user,
      request.context,
      requestOf(request.body),
      code === '' ? undefined : code,
    );
    const page = html`<h1>Token created</h1>
      <p>Copy it now: it is shown only this once.</p>
      <p><code class="secret">${secret}</code></p>
      <p class="access">${tokenAccess(record)}; expires ${record.expiresAt ?? 'never'}</p>
      <p><a href="/account">Back to your account</a></p>`;
    return sendPage(reply, layout('Token created', page, viewerOf(request)));
  });
}
