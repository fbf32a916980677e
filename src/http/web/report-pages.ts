// The web side of reports: the form on the package page posts to /reports; a report's page
// (/reports/<id>) shows its thread to the reporter, administrators and, for a vulnerability, the
// maintainers, with the reporter's answer form and the administrators' actions; /admin/reports is
// the moderation queue. Every post is a CSRF-checked form (csrf.ts); the domain decides who may.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Registry } from '../../registry.js';
import { isGatehouseError } from '../../domain/errors.js';
import { parsePackageName } from '../../domain/packages/names.js';
import { REPORT_REASONS, REPORT_STATES, isOpen } from '../../domain/reports/format.js';
import type { ReportThread } from '../../domain/reports/service.js';
import type { ReportRecord } from '../../domain/reports/store.js';
import type { QuarantineEntry } from '../../domain/quarantine/index.js';
import { html, layout, sendPage, type SafeHtml } from './html.js';
import { csrfInput, viewerOf } from './csrf.js';
import { seeOther } from './session.js';
import { PAGE_ONLY } from './negotiation.js';
import { packageHref, versionHref } from './addresses.js';
import { time } from './format.js';
import { codeField, formFields } from './account-forms.js';

type Id = { Params: { id: string } };

/** Every moderation form asks for the administrator's second factor again (domain/mfa/writes.ts `moderation`). */
const STEP_UP = codeField('Your two-factor code');

const REPLY_LABELS: Record<ReportThread['role'], string> = {
  reporter: 'Add information',
  maintainer: 'Answer the reporter (only they and the administrators read it)',
  admin: 'Comment',
};

function reportHref(id: number): string {
  return `/reports/${id}`;
}

function signIn(reply: FastifyReply, next: string): FastifyReply {
  return seeOther(reply, `/login?next=${encodeURIComponent(next)}`);
}

/** A refusal as a page, with its catalog code for people and tests; other errors go on up. */
async function orRefusal(request: FastifyRequest, reply: FastifyReply, work: () => Promise<FastifyReply>): Promise<FastifyReply> {
  try {
    return await work();
  } catch (err) {
    if (!isGatehouseError(err)) throw err;
    reply.headers(err.headers);
    const body = html`<h1>Not done</h1>
      <p class="error" role="alert" data-code="${err.code}">${err.message}</p>
      <p>Nothing was changed. <a href="/">Home</a></p>`;
    return sendPage(reply.header('cache-control', 'no-store'), layout('Not done', body, viewerOf(request)), err.status);
  }
}

function subject(r: ReportRecord): SafeHtml {
  return r.version === undefined
    ? html`<a href="${packageHref(r.packageName)}">${r.packageName}</a>`
    : html`<a href="${versionHref(r.packageName, r.version)}">${r.packageName}@${r.version}</a>`;
}

function threadPage(request: FastifyRequest, thread: ReportThread): SafeHtml {
  const { report: r, messages, role } = thread;
  const open = isOpen(r.state);
  const csrf = csrfInput(request);
  return html`<h1>Report ${r.id}</h1>
    <dl class="report" data-state="${r.state}">
      <dt>About</dt>
      <dd>${subject(r)}</dd>
      <dt>Reason</dt>
      <dd class="reason">${r.reason}</dd>
      <dt>State</dt>
      <dd class="state">${r.state}</dd>
      <dt>Reported</dt>
      <dd>${time(r.createdAt)} by ${r.reporter}</dd>
      ${r.advisoryId
        ? html`<dt>Advisory</dt>
            <dd><a href="/-/gatehouse/v1/osv/${r.advisoryId}.json">${r.advisoryId}</a></dd>`
        : ''}
    </dl>
    <blockquote class="description">${r.description}</blockquote>
    <ol class="messages">
      ${messages.map(
        (m) =>
          html`<li class="message ${m.kind}" data-role="${m.role}">
            <p><strong>${m.author}</strong> (${m.role}, ${time(m.createdAt)})</p>
            <blockquote>${m.text}</blockquote>
          </li>`,
      )}
    </ol>
    ${open
      ? html`<form method="post" action="${reportHref(r.id)}/reply" id="reply">
          ${csrf}<label>${REPLY_LABELS[role]} <textarea name="text" required maxlength="10000"></textarea></label>
          <button type="submit">Send</button>
        </form>`
      : ''}
    ${open && role === 'admin'
      ? html`<section class="moderation">
          <h2>Moderate</h2>
          <form method="post" action="/admin/reports/${r.id}/confirm" id="confirm">
            ${csrf}<label
              >Note (shown to the reporter; for malicious, the advisory's details) <textarea name="note"></textarea>
            </label>
            ${STEP_UP}<button type="submit">Confirm</button>
          </form>
          <form method="post" action="/admin/reports/${r.id}/dismiss" id="dismiss">
            ${csrf}<label>Note <textarea name="note"></textarea></label>${STEP_UP}<button type="submit">Dismiss</button>
          </form>
          <form method="post" action="/admin/reports/${r.id}/ask" id="ask">
            ${csrf}<label>Question for the reporter <textarea name="question" required></textarea></label> ${STEP_UP}<button
              type="submit"
            >
              Ask for information
            </button>
          </form>
        </section>`
      : ''}`;
}

function queuePage(reports: ReportRecord[], state: string): SafeHtml {
  return html`<h1>Reports</h1>
    <p><a href="/admin/quarantine">Quarantined versions</a></p>
    <form method="get" action="/admin/reports">
      <label
        >State
        <select name="state">
          ${['all', ...REPORT_STATES].map((s) => html`<option value="${s}" ${s === state ? 'selected' : ''}>${s}</option>`)}
        </select></label
      >
      <button type="submit">Show</button>
    </form>
    ${reportTable(reports)}`;
}

function reportTable(reports: ReportRecord[]): SafeHtml {
  return html`<table class="reports">
    <thead>
      <tr>
        <th>Id</th>
        <th>About</th>
        <th>Reason</th>
        <th>State</th>
        <th>Reporter</th>
        <th>Filed</th>
      </tr>
    </thead>
    <tbody>
      ${reports.map(
        (r) =>
          html`<tr class="report" data-id="${r.id}">
            <td><a href="${reportHref(r.id)}">${r.id}</a></td>
            <td>${subject(r)}</td>
            <td>${r.reason}</td>
            <td>${r.state}</td>
            <td>${r.reporter}</td>
            <td>${time(r.createdAt)}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

/** The one quarantine queue (scan holds and confirmed reports alike), each with its release and reject forms. */
function quarantinePage(request: FastifyRequest, queue: QuarantineEntry[]): SafeHtml {
  const decide = (q: QuarantineEntry, action: 'release' | 'reject') =>
    html`<form method="post" action="/admin/quarantine/${action}">
      ${csrfInput(request)}<input type="hidden" name="package" value="${q.packageName}" /><input
        type="hidden"
        name="version"
        value="${q.version}"
      /><input name="note" maxlength="1000" placeholder="note" />${STEP_UP}<button type="submit">${action}</button>
    </form>`;
  return html`<h1>Quarantined versions</h1>
    <p>Invisible and not installable for everyone but their owners and the administrators until reviewed.</p>
    <table class="quarantine">
      <thead>
        <tr>
          <th>Version</th>
          <th>Why</th>
          <th>Held</th>
          <th>Review</th>
        </tr>
      </thead>
      <tbody>
        ${queue.map(
          (q) =>
            html`<tr class="held" data-package="${q.packageName}" data-version="${q.version}">
              <td><a href="${versionHref(q.packageName, q.version)}">${q.packageName}@${q.version}</a></td>
              <td>${q.cause}: ${q.ref} ${q.findings.slice(0, 3).map((f) => html`<br />[${f.ruleId}] ${f.where}`)}</td>
              <td>${time(q.heldAt)}</td>
              <td>${decide(q, 'release')}${decide(q, 'reject')}</td>
            </tr>`,
        )}
      </tbody>
    </table>`;
}

/** The package page's form; only for a signed-in browser (the page shows a sign-in link otherwise). */
export function reportForm(request: FastifyRequest, name: string, version: string): SafeHtml {
  if (request.context.principal.kind !== 'session') {
    return html`<p><a href="/login?next=${encodeURIComponent(packageHref(name))}">Sign in</a> to report this package.</p>`;
  }
  return html`<details class="report-form">
    <summary>Report this package</summary>
    <form method="post" action="/reports" id="report">
      ${csrfInput(request)}<input type="hidden" name="package" value="${name}" />
      <label
        >Which
        <select name="version">
          <option value="">the whole package</option>
          <option value="${version}">version ${version}</option>
        </select></label
      >
      <label
        >Reason
        <select name="reason">
          ${REPORT_REASONS.map((reason) => html`<option value="${reason}">${reason}</option>`)}
        </select></label
      >
      <label>What you found <textarea name="description" required maxlength="10000"></textarea></label>
      <button type="submit">Send report</button>
    </form>
    <p><a href="/reports">Your reports</a></p>
  </details>`;
}

export function registerReportPages(app: FastifyInstance, registry: Registry): void {
  const { reports } = registry.reports;
  const signedIn = (request: FastifyRequest) => request.context.principal.kind === 'session';
  const page = (request: FastifyRequest, reply: FastifyReply, title: string, body: SafeHtml) =>
    sendPage(reply.header('cache-control', 'no-store'), layout(title, body, viewerOf(request)));

  app.post('/reports', async (request, reply) =>
    orRefusal(request, reply, async () => {
      const form = formFields(request.body);
      const report = await reports.file(request.context, parsePackageName(form.package), form);
      return seeOther(reply, reportHref(report.id));
    }),
  );
  app.get('/reports', { constraints: PAGE_ONLY }, async (request, reply) => {
    if (!signedIn(request)) return signIn(reply, '/reports');
    return orRefusal(request, reply, async () => {
      const mine = await reports.mine(request.context);
      return page(
        request,
        reply,
        'Your reports',
        html`<h1>Your reports</h1>
          ${reportTable(mine)}`,
      );
    });
  });
  app.get<Id>('/reports/:id', { constraints: PAGE_ONLY }, async (request, reply) => {
    if (!signedIn(request)) return signIn(reply, request.url);
    return orRefusal(request, reply, async () => {
      const thread = await reports.thread(request.context, request.params.id);
      return page(request, reply, `Report ${thread.report.id}`, threadPage(request, thread));
    });
  });
  app.post<Id>('/reports/:id/reply', async (request, reply) =>
    orRefusal(request, reply, async () => {
      const report = await reports.reply(request.context, request.params.id, request.body);
      return seeOther(reply, reportHref(report.id));
    }),
  );
  app.get<{ Querystring: { state?: string } }>('/admin/reports', { constraints: PAGE_ONLY }, async (request, reply) => {
    if (!signedIn(request)) return signIn(reply, request.url);
    return orRefusal(request, reply, async () => {
      const state = request.query.state ?? 'open';
      const queue = await reports.queue(request.context, { state });
      return page(request, reply, 'Reports', queuePage(queue, state));
    });
  });
  for (const action of ['confirm', 'dismiss', 'ask'] as const) {
    app.post<Id>(`/admin/reports/:id/${action}`, async (request, reply) =>
      orRefusal(request, reply, async () => {
        const id = request.params.id;
        const done =
          action === 'confirm'
            ? await reports.confirm(request.context, id, request.body)
            : action === 'dismiss'
              ? await reports.dismiss(request.context, id, request.body)
              : await reports.askForInfo(request.context, id, request.body);
        return seeOther(reply, reportHref(done.id));
      }),
    );
  }
  app.get('/admin/quarantine', { constraints: PAGE_ONLY }, async (request, reply) => {
    if (!signedIn(request)) return signIn(reply, request.url);
    return orRefusal(request, reply, async () =>
      page(request, reply, 'Quarantined versions', quarantinePage(request, await registry.quarantine.queue(request.context))),
    );
  });
  for (const action of ['release', 'reject'] as const) {
    app.post(`/admin/quarantine/${action}`, async (request, reply) =>
      orRefusal(request, reply, async () => {
        const form = formFields(request.body);
        const name = parsePackageName(form.package);
        await registry.quarantine[action](request.context, name, String(form.version ?? ''), form.note, form.code);
        return seeOther(reply, '/admin/quarantine');
      }),
    );
  }
}
