// The package page's "Staged versions" section, for the package's maintainers only: what waits in
// the stage (version, tag, who staged it and when) and how to decide it. Everyone else, signed in
// or not, gets nothing at all, not even the heading: a stage is not public until approved.
import type { FastifyRequest } from 'fastify';
import type { Registry } from '../../registry.js';
import type { PackageName } from '../../domain/packages/names.js';
import { html, type SafeHtml } from './html.js';
import { time } from './format.js';

export async function stagedVersionsSection(request: FastifyRequest, registry: Registry, name: PackageName): Promise<SafeHtml> {
  if (request.context.principal.kind !== 'session') return html``;
  // The staging domain lists only stages the caller may review: a non-maintainer's list is empty.
  const { items } = await registry.staging.list(request.context, { packageName: name, page: 0, perPage: 100 });
  if (items.length === 0) return html``;
  return html`<section class="staged-versions" aria-label="Staged versions">
    <h2>Staged versions</h2>
    <p>
      Only this package's maintainers see this. A staged version is not installable until a maintainer approves it with a second
      factor.
    </p>
    <table>
      <thead>
        <tr>
          <th scope="col">Version</th>
          <th scope="col">Tag</th>
          <th scope="col">Staged by</th>
          <th scope="col">Staged</th>
          <th scope="col">Decide</th>
        </tr>
      </thead>
      <tbody>
        ${items.map(
          (s) =>
            html`<tr data-stage="${s.id}">
              <td>${s.version}</td>
              <td><span class="tag">${s.tag}</span></td>
              <td>${s.actor}${s.actorType === 'trusted-publisher' ? ' (trusted publisher)' : ''}</td>
              <td>${time(s.createdAt)}</td>
              <td>
                <code>npm stage approve ${s.id} --otp=&lt;code&gt;</code> or <code>npm stage reject ${s.id}</code>; inspect it
                first with <code>npm stage download ${s.id}</code>
              </td>
            </tr> `,
        )}
      </tbody>
    </table>
  </section>`;
}
