// Security keys and passkeys on the web: the account page's section (list, add, remove), the
// sign-in key step after a password, "Sign in with a passkey", and the key button of the npm
// login approval. A ceremony's options travel in the page (data-options) and its answer comes
// back in a form field; static/webauthn.js, our own script, runs the browser's part.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Registry } from '../../registry.js';
import type { User } from '../../domain/accounts/store.js';
import { signInNotice, type SignInNotices } from '../../domain/accounts/service.js';
import type { WebAuthnCredential } from '../../domain/webauthn/store.js';
import { isGatehouseError } from '../../domain/errors.js';
import { html, layout, sendPage, type SafeHtml } from './html.js';
import { time } from './format.js';
import { csrfInput, viewerOf } from './csrf.js';
import { errorLine, localPath, seeOther } from './session.js';
import { setSessionCookie } from './session-cookie.js';

// The package exports only its modules; its browser bundle sits beside them (dist/bundle), found from the CommonJS entry.
const BROWSER_BUNDLE = readFileSync(
  join(dirname(createRequire(import.meta.url).resolve('@simplewebauthn/browser')), '../dist/bundle/index.umd.min.js'),
);
const CEREMONY = readFileSync(new URL('../../../static/webauthn.js', import.meta.url));

const SCRIPTS = html`<script src="/static/simplewebauthn-browser.js" defer></script>
  <script src="/static/webauthn.js" defer></script>`;

/** A form that runs a ceremony before it posts; `fields` are its other inputs. */
export function ceremonyForm(
  request: FastifyRequest,
  mode: 'create' | 'get',
  options: unknown,
  action: string,
  label: string,
  fields: SafeHtml | string = '',
  cls = 'webauthn',
): SafeHtml {
  return html`<form
      method="post"
      action="${action}"
      class="${cls}"
      data-webauthn="${mode}"
      data-options="${JSON.stringify(options)}"
    >
      ${csrfInput(request)}<input type="hidden" name="webauthn" value="" />${fields}
      <button type="submit">${label}</button>
      <p class="webauthn-error" hidden></p>
    </form>
    ${SCRIPTS}`;
}

function keyRow(request: FastifyRequest, key: WebAuthnCredential): SafeHtml {
  return html`<tr class="security-key" data-key="${key.id}">
    <td>${key.name}</td>
    <td>${key.passkey ? 'passkey' : 'security key'}</td>
    <td>${time(key.createdAt)}</td>
    <td>${key.lastUsedAt ? time(key.lastUsedAt) : 'never'}</td>
    <td>
      <form method="post" action="/account/keys/${key.id}/remove" class="remove-key">
        ${csrfInput(request)}
        <label>Password <input name="password" type="password" autocomplete="current-password" required /></label>
        <button type="submit">Remove</button>
      </form>
    </td>
  </tr>`;
}

/** The account page's section: the keys, and links to add one. */
export function securityKeysSection(request: FastifyRequest, keys: WebAuthnCredential[], writes: SafeHtml | '' = ''): SafeHtml {
  const list =
    keys.length === 0
      ? html`<p class="none">None.</p>`
      : html`<table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Kind</th>
              <th>Added</th>
              <th>Last used</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            ${keys.map((k) => keyRow(request, k))}
          </tbody>
        </table>`;
  return html`<section id="security-keys">
    <h2>Security keys and passkeys</h2>
    <p>A security key is asked after your password; a passkey signs you in alone.</p>
    ${list} ${keys.length > 0 ? writes : ''}
    <p>
      <a class="add-key" href="/account/keys/new">Add a security key</a> ·
      <a class="add-passkey" href="/account/keys/new?passkey=1">Add a passkey</a>
    </p>
  </section>`;
}

/** The sign-in key step: the password passed, the key must answer before a session starts. */
export async function keyStepPage(
  request: FastifyRequest,
  reply: FastifyReply,
  registry: Registry,
  user: User & SignInNotices,
  next: string,
) {
  const options = await registry.webauthn.secondFactorOptions(user, null);
  // What the password check found (a leaked password, a dead email domain) is said here: after the key only the account is known.
  const notice = signInNotice(user);
  const body = html`<h1>Use your security key</h1>
    ${notice ? html`<p class="notice" role="alert">${notice}</p>` : ''}
    <p>Signing in as <strong>${user.name}</strong>: touch your security key to finish.</p>
    ${ceremonyForm(
      request,
      'get',
      options,
      '/login/key',
      'Use security key',
      html`<input type="hidden" name="next" value="${next}" />`,
      'key-step',
    )}`;
  return sendPage(reply.header('cache-control', 'no-store'), layout('Security key', body));
}

/** The sign-in page's passkey button (a fresh challenge per page). */
export async function passkeyButton(request: FastifyRequest, registry: Registry, next: string): Promise<SafeHtml> {
  const options = await registry.webauthn.passkeyOptions();
  const fields = html`<input type="hidden" name="next" value="${next}" />`;
  return ceremonyForm(request, 'get', options, '/login/passkey', 'Sign in with a passkey', fields, 'passkey-signin');
}

/** The npm login approval's key button, for an account with a key (challenge bound to this session). */
export async function approveWithKey(request: FastifyRequest, registry: Registry, user: User, action: string) {
  const session = request.context.principal.kind === 'session' ? request.context.principal.session.id : null;
  const options = await registry.webauthn.secondFactorOptions(user, session);
  return ceremonyForm(request, 'get', options, action, 'Approve with a security key', '', 'approve-key');
}

function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
}

function failurePage(request: FastifyRequest, reply: FastifyReply, err: unknown, title: string) {
  if (!isGatehouseError(err)) throw err;
  const body = html`<h1>${title}</h1>
    ${errorLine(err)}
    <p><a href="/account">Account</a> · <a href="/login">Sign in</a></p>`;
  return sendPage(reply.headers(err.headers), layout(title, body, viewerOf(request)), err.status);
}

export function registerSecurityKeyPages(app: FastifyInstance, registry: Registry): void {
  app.get('/static/simplewebauthn-browser.js', async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(BROWSER_BUNDLE),
  );
  app.get('/static/webauthn.js', async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(CEREMONY),
  );

  app.get<{ Querystring: { passkey?: string } }>('/account/keys/new', async (request, reply) => {
    if (request.context.principal.kind !== 'session') return seeOther(reply, '/login?next=/account');
    const passkey = request.query.passkey === '1';
    const options = await registry.webauthn.registrationOptions(request.context, passkey);
    const fields = html`<input type="hidden" name="passkey" value="${passkey ? '1' : '0'}" />
      <label>Name <input name="name" required maxlength="64" value="${passkey ? 'Passkey' : 'Security key'}" /></label>`;
    const body = html`<h1>${passkey ? 'Add a passkey' : 'Add a security key'}</h1>
      ${ceremonyForm(request, 'create', options, '/account/keys', passkey ? 'Create passkey' : 'Register key', fields, 'add-key')}`;
    return sendPage(reply.header('cache-control', 'no-store'), layout('Add a key', body, viewerOf(request)));
  });

  app.post('/account/keys', async (request, reply) => {
    try {
      await registry.webauthn.register(request.context, field(request.body, 'webauthn'), field(request.body, 'name'));
      return seeOther(reply, '/account#security-keys');
    } catch (err) {
      return failurePage(request, reply, err, 'Key not added');
    }
  });

  app.post<{ Params: { id: string } }>('/account/keys/:id/remove', async (request, reply) => {
    try {
      await registry.webauthn.remove(request.context, request.params.id, field(request.body, 'password'));
      return seeOther(reply, '/account#security-keys');
    } catch (err) {
      return failurePage(request, reply, err, 'Key not removed');
    }
  });

  app.post('/login/key', async (request, reply) => {
    try {
      const user = await registry.webauthn.verifyKeyStep(field(request.body, 'webauthn'));
      setSessionCookie(reply, registry, await registry.sessions.startVerified(request.context, user, 'password'));
      return seeOther(reply, localPath(field(request.body, 'next')));
    } catch (err) {
      return failurePage(request, reply, err, 'Not signed in');
    }
  });

  app.post('/login/passkey', async (request, reply) => {
    try {
      const user = await registry.webauthn.verifyPasskey(field(request.body, 'webauthn'));
      setSessionCookie(reply, registry, await registry.sessions.startVerified(request.context, user, 'passkey'));
      return seeOther(reply, localPath(field(request.body, 'next')));
    } catch (err) {
      return failurePage(request, reply, err, 'Not signed in');
    }
  });
}
