// The package page's "Security" box: how to report a vulnerability in this version (the contact its
// own SECURITY-INSIGHTS.yml or SECURITY.md gives, else its maintainers through a private report),
// and the form to report the package. Everything shown from the tarball is the publisher's, escaped.
import type { FastifyRequest } from 'fastify';
import type { Registry } from '../../registry.js';
import type { VersionRecord } from '../../domain/packages/store.js';
import type { User } from '../../domain/accounts/store.js';
import type { SecurityContact } from '../../domain/reports/security-contact.js';
import { html, type SafeHtml } from './html.js';
import { reportForm } from './report-pages.js';

function contactLines(contact: SecurityContact): SafeHtml {
  return html`<p class="security-contact" data-source="${contact.source}">
      The package's ${contact.source} says where to report vulnerabilities:
      ${contact.email ? html`<a class="email" href="mailto:${contact.email}">${contact.email}</a>` : ''}
      ${contact.url ? html`<a class="url" rel="nofollow noopener noreferrer" href="${contact.url}">${contact.url}</a>` : ''}
    </p>
    ${contact.excerpt ? html`<blockquote class="security-md">${contact.excerpt}</blockquote>` : ''}`;
}

export async function securitySection(
  request: FastifyRequest,
  registry: Registry,
  v: VersionRecord,
  owners: User[],
): Promise<SafeHtml> {
  const [contact, advisory] = await Promise.all([
    registry.reports.securityContacts.forVersion(v),
    registry.reports.malicious.forPackage(v.packageName),
  ]);
  return html`<section class="security" aria-label="Security">
    ${advisory
      ? html`<p class="notice malicious" role="alert" data-advisory="${advisory.id}">
          ${advisory.allVersions ? 'This package was' : html`Versions ${advisory.versions.join(', ')} were`} confirmed malicious
          and removed: <a href="/-/gatehouse/v1/osv/${advisory.id}.json">${advisory.id}</a>.
        </p>`
      : ''}
    <h2>Report a vulnerability</h2>
    ${contact
      ? contactLines(contact)
      : html`<p class="security-contact" data-source="maintainers">
          This version names no security contact. Tell its maintainers
          (${owners.map((o, i) => html`${i > 0 ? ', ' : ''}${o.name}`)}) privately: report it below with the reason
          <em>vulnerable</em>; only they, you and this registry's administrators can read it.
        </p>`}
    ${reportForm(request, v.packageName, v.version)}
  </section>`;
}
