// Server-rendered HTML with escaping by default: every interpolated value is escaped unless it
// is already a SafeHtml produced by this module. Pages carry a strict CSP and load no script.
import type { FastifyReply } from 'fastify';

export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

type Value = SafeHtml | string | number | undefined | null | false | Value[];

function render(value: Value): string {
  if (value === undefined || value === null || value === false) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  if (value instanceof SafeHtml) return value.value;
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Value[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((v, i) => (out += render(v) + (strings[i + 1] ?? '')));
  return new SafeHtml(out);
}

/** Trusted markup from a sanitiser; the only way besides html`` to make SafeHtml. */
export function trusted(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

export const CSP = [
  "default-src 'none'",
  "style-src 'self'",
  // Only our own files (the WebAuthn ceremony, static/webauthn.js); never inline, never another host.
  "script-src 'self'",
  "img-src 'self' https: data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/** Who is signed in, for the header: their name and the sign-out form's CSRF field. */
export interface Viewer {
  name: string;
  csrf: SafeHtml;
}

/** The header's account corner: the signed-in name and Sign out, or a link to the account page. */
function accountCorner(viewer: Viewer | undefined): SafeHtml {
  if (!viewer) return html`<a class="account" href="/account">Account</a>`;
  return html`<a class="who" href="/account">${viewer.name}</a>
    <form class="signout" method="post" action="/logout">${viewer.csrf}<button type="submit">Sign out</button></form>`;
}

export function layout(title: string, body: SafeHtml, viewer?: Viewer): SafeHtml {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · Gatehouse</title>
        <link rel="stylesheet" href="/static/style.css" />
      </head>
      <body>
        <header class="site">
          <a class="brand" href="/">Gatehouse</a>
          <form class="search" action="/search" method="get" role="search">
            <input type="search" name="q" placeholder="Search packages" aria-label="Search packages" />
          </form>
          ${accountCorner(viewer)}
        </header>
        <main>${body}</main>
        <footer class="site">
          <a href="/">Home</a> · <a href="/policies/unpublish">Unpublish policy</a> · <a href="/policies/security">Security</a>
        </footer>
      </body>
    </html>`;
}

export function sendPage(reply: FastifyReply, page: SafeHtml, status = 200): FastifyReply {
  return reply
    .code(status)
    .header('content-security-policy', CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY')
    .type('text/html; charset=utf-8')
    .send(page.value);
}
