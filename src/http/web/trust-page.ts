// The package's trusted-publisher settings (/settings/trust/<name>): its configurations with a
// remove button each, and a form to add a GitHub Actions one. Only for a signed-in maintainer;
// both forms are CSRF-checked posts (csrf.ts). Other providers and several packages: `npm trust`
// or the API.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Registry } from '../../registry.js';
import type { RequestContext } from '../../domain/access/context.js';
import { parsePackageName } from '../../domain/packages/names.js';
import type { TrustConfig } from '../../domain/trust/configs.js';
import { describeSpec } from '../../domain/trust/describe.js';
import { html, layout, sendPage, type SafeHtml } from './html.js';
import { time } from './format.js';
import { csrfInput, viewerOf } from './csrf.js';
import { seeOther } from './session.js';
import { PAGE_ONLY } from './negotiation.js';

type Params = { Params: { name: string } };
type Form = Record<string, string | undefined>;

function address(name: string): string {
  return `/settings/trust/${encodeURIComponent(name)}`;
}

function configRow(request: FastifyRequest, name: string, c: TrustConfig): SafeHtml {
  return html`<tr class="trusted-publisher" data-id="${c.id}">
    <td>${describeSpec(c.spec)}</td>
    <td>${c.permissions.map((p) => (p === 'createPackage' ? 'publish' : 'stage publish')).join(', ')}</td>
    <td>${time(c.createdAt)}${c.pendingUntil ? html` (pending until ${time(c.pendingUntil)})` : ''}</td>
    <td>
      <form method="post" action="${address(name)}/revoke/${c.id}">
        ${csrfInput(request)}<button type="submit">Remove</button>
      </form>
    </td>
  </tr>`;
}

function trustPage(request: FastifyRequest, name: string, configs: TrustConfig[]): SafeHtml {
  return html`<h1>Trusted publishers of ${name}</h1>
    <p>These CI workflows may publish ${name} with no stored token (docs: trusted publishing).</p>
    <table>
      <thead>
        <tr>
          <th>Identity</th>
          <th>May</th>
          <th>Added</th>
          <th></th>
        </tr>
      </thead>
      <tbody>
        ${configs.map((c) => configRow(request, name, c))}
      </tbody>
    </table>
    <h2>Add a GitHub Actions workflow</h2>
    <form method="post" action="${address(name)}" id="add-github">
      ${csrfInput(request)}
      <label>Repository (owner/repo) <input name="repository" required /></label>
      <label>Workflow file <input name="file" placeholder="release.yml" required /></label>
      <label>Environment (optional) <input name="environment" /></label>
      <label><input type="checkbox" name="publish" value="on" checked /> may publish</label>
      <label><input type="checkbox" name="stage" value="on" /> may stage publishes</label>
      <label>One-time password (if your account has a second factor) <input name="otp" autocomplete="one-time-code" /></label>
      <button type="submit">Add</button>
    </form>`;
}

/** The form's code counts as the request's one-time password, as `npm-otp` does for npm. */
function withOtp(context: RequestContext, form: Form): RequestContext {
  const otp = form.otp?.trim();
  return otp && /^[0-9]{6,8}$/.test(otp) ? { ...context, otp } : context;
}

export function registerTrustPages(app: FastifyInstance, registry: Registry): void {
  app.get<Params>('/settings/trust/:name', { constraints: PAGE_ONLY }, async (request, reply) => {
    const name = parsePackageName(request.params.name);
    if (request.context.principal.kind !== 'session') return seeOther(reply, `/login?next=${encodeURIComponent(address(name))}`);
    const configs = await registry.trust.list(request.context, name);
    return sendPage(
      reply.header('cache-control', 'no-store'),
      layout(`Trusted publishers of ${name}`, trustPage(request, name, configs), viewerOf(request)),
    );
  });

  app.post<Params & { Body: Form }>('/settings/trust/:name', async (request, reply) => {
    const name = parsePackageName(request.params.name);
    const form = request.body ?? {};
    const permissions = [
      ...(form.publish === 'on' ? ['createPackage'] : []),
      ...(form.stage === 'on' ? ['createStagedPackage'] : []),
    ];
    const claims = { repository: form.repository, workflow_ref: { file: form.file }, environment: form.environment };
    await registry.trust.add(withOtp(request.context, form), name, [{ type: 'github', claims, permissions }]);
    return seeOther(reply, address(name));
  });

  app.post<{ Params: { name: string; id: string }; Body: Form }>('/settings/trust/:name/revoke/:id', async (request, reply) => {
    const name = parsePackageName(request.params.name);
    await registry.trust.revoke(withOtp(request.context, request.body ?? {}), name, request.params.id);
    return seeOther(reply, address(name));
  });
}
