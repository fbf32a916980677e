// Two-factor authentication with an authenticator app (TOTP) on the web, as `npm profile
// enable-2fa` does it through the profile API and with the same domain service: the password
// starts a set-up and the page shows its otpauth URL and a QR code (SVG drawn here, no script,
// nothing fetched); the first code confirms it and the ten recovery codes are shown once. A
// confirmed factor can change level (password and code), make new recovery codes (a code) or be
// turned off (password and code). Pages with a secret on them are never cached.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import type { Registry } from '../../registry.js';
import { isGatehouseError, type GatehouseError } from '../../domain/errors.js';
import type { MfaStatus } from '../../domain/mfa/service.js';
import { html, trusted, type SafeHtml } from './html.js';
import { csrfInput } from './csrf.js';
import { errorLine, seeOther } from './session.js';
import { codeField, formFields, sendAccountPage, sendWithNewSession } from './account-forms.js';

const PATH = '/account/two-factor';
const TITLE = 'Two-factor authentication';

const LEVELS = [
  { value: 'auth-and-writes', label: 'at sign-in and for publishing and other changes (recommended)' },
  { value: 'auth-only', label: 'at sign-in only' },
] as const;

function levelChoice(current = 'auth-and-writes'): SafeHtml {
  return html`<fieldset>
    <legend>Ask for a code</legend>
    ${LEVELS.map(
      (l) =>
        html`<label
          ><input type="radio" name="level" value="${l.value}" ${l.value === current ? html`checked` : ''} /> ${l.label}</label
        >`,
    )}
  </fieldset>`;
}

const passwordField = html`<label
  >Current password <input name="password" type="password" autocomplete="current-password" required
/></label>`;

function form(request: FastifyRequest, action: string, cls: string, fields: SafeHtml, button: string): SafeHtml {
  return html`<form method="post" action="${PATH}/${action}" class="${cls}">
    ${csrfInput(request)}${fields}<button type="submit">${button}</button>
  </form>`;
}

function overview(request: FastifyRequest, status: MfaStatus, failed?: GatehouseError): SafeHtml {
  const head = html`<h1>${TITLE}</h1>
    ${errorLine(failed)}`;
  if (!status || status.pending) {
    return html`${head}
      <p class="state">Not set up.${status?.pending ? ' A set-up was started but not confirmed; start again.' : ''}</p>
      ${form(request, 'start', 'totp-start', html`${passwordField}${levelChoice()}`, 'Set up an authenticator app')}`;
  }
  return html`${head}
    <p class="state" data-level="${status.mode}">
      On: a code is asked ${LEVELS.find((l) => l.value === status.mode)?.label.replace(' (recommended)', '')}.
    </p>
    <h2>Change when the code is asked</h2>
    ${form(request, 'start', 'totp-level', html`${passwordField}${levelChoice(status.mode)}${codeField()}`, 'Change')}
    <h2>New recovery codes</h2>
    <p>Makes ten new recovery codes; the old ones stop working.</p>
    ${form(request, 'recovery-codes', 'totp-codes', codeField('Code from your authenticator app'), 'Make new recovery codes')}
    <h2>Turn off</h2>
    ${form(request, 'disable', 'totp-disable', html`${passwordField}${codeField()}`, 'Turn off two-factor authentication')}`;
}

function confirmForm(request: FastifyRequest): SafeHtml {
  return form(
    request,
    'confirm',
    'totp-confirm',
    html`<label>Code from the app <input name="code" inputmode="numeric" autocomplete="one-time-code" required /></label>`,
    'Confirm',
  );
}

async function enrolPage(request: FastifyRequest, otpauthUrl: string): Promise<SafeHtml> {
  // The URL holds the secret: drawn here, so it never leaves for a QR service.
  const svg = await QRCode.toString(otpauthUrl, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
  return html`<h1>Scan this code with your authenticator app</h1>
    <div class="qr" role="img" aria-label="QR code of the set-up link">${trusted(svg)}</div>
    <p>Or enter this set-up link in the app:</p>
    <p><code class="otpauth">${otpauthUrl}</code></p>
    <p>Then type the code the app shows to finish.</p>
    ${confirmForm(request)}`;
}

function codesPage(codes: string[], intro: string): SafeHtml {
  return html`<h1>Your recovery codes</h1>
    <p class="done">${intro}</p>
    <p>
      Keep these ten codes somewhere safe, apart from your phone. Each works once instead of a code from the app. They are shown
      only now.
    </p>
    <ul class="recovery-codes">
      ${codes.map((c) => html`<li><code>${c}</code></li>`)}
    </ul>
    <p><a class="continue" href="/account">Back to your account</a></p>`;
}

async function showOverview(request: FastifyRequest, reply: FastifyReply, registry: Registry, failed?: GatehouseError) {
  const status = await registry.accountChanges.twoFactor(request.context);
  return sendAccountPage(request, reply, TITLE, overview(request, status, failed), failed);
}

export function registerTotpPages(app: FastifyInstance, registry: Registry): void {
  app.get(PATH, async (request, reply) => {
    if (request.context.principal.kind !== 'session') return seeOther(reply, `/login?next=${PATH}`);
    return showOverview(request, reply, registry);
  });

  type Refusal = (request: FastifyRequest, reply: FastifyReply, err: GatehouseError) => FastifyReply | Promise<FastifyReply>;
  /** Runs a form's change; a refusal shows `onRefusal` (the overview by default) with its code. */
  const post = (
    action: string,
    run: (request: FastifyRequest, reply: FastifyReply, fields: Record<string, unknown>) => Promise<FastifyReply>,
    onRefusal: Refusal = (request, reply, err) => showOverview(request, reply, registry, err),
  ) =>
    app.post(`${PATH}/${action}`, async (request, reply) => {
      try {
        return await run(request, reply, formFields(request.body));
      } catch (err) {
        if (!isGatehouseError(err)) throw err;
        return onRefusal(request, reply, err);
      }
    });

  post('start', async (request, reply, f) => {
    const started = await registry.accountChanges.startTotp(request.context, f.password, f.level, f.code);
    if ('otpauthUrl' in started) return sendAccountPage(request, reply, TITLE, await enrolPage(request, started.otpauthUrl));
    const done = html`<h1>${TITLE}</h1>
      <p class="done">A code is now asked ${LEVELS.find((l) => l.value === started.changedTo)?.label}.</p>
      <p><a class="continue" href="/account">Back to your account</a></p>`;
    return sendWithNewSession(reply, registry, started.secret, TITLE, done);
  });

  post(
    'confirm',
    async (request, reply, f) => {
      const { recoveryCodes, secret } = await registry.accountChanges.confirmTotp(request.context, f.code);
      const intro = 'Two-factor authentication is on.';
      return sendWithNewSession(reply, registry, secret, 'Recovery codes', codesPage(recoveryCodes, intro));
    },
    // The set-up stays pending: the app already has the secret, so the next code can still confirm it.
    (request, reply, err) =>
      sendAccountPage(
        request,
        reply,
        TITLE,
        html`<h1>Finish setting up</h1>
          ${errorLine(err)}
          <p>Type the code your authenticator app shows now, or <a href="${PATH}">start again</a>.</p>
          ${confirmForm(request)}`,
        err,
      ),
  );

  post('recovery-codes', async (request, reply, f) => {
    const codes = await registry.accountChanges.regenerateRecoveryCodes(request.context, f.code);
    const intro = 'New recovery codes were made; the old ones no longer work.';
    return sendAccountPage(request, reply, 'Recovery codes', codesPage(codes, intro));
  });

  post('disable', async (request, reply, f) => {
    const secret = await registry.accountChanges.disableTotp(request.context, f.password, f.code);
    const done = html`<h1>${TITLE}</h1>
      <p class="done">Two-factor authentication is off, and its recovery codes no longer work.</p>
      <p><a class="continue" href="/account">Back to your account</a></p>`;
    return sendWithNewSession(reply, registry, secret, TITLE, done);
  });
}
