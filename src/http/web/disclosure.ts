// The disclosure policy: /.well-known/security.txt (RFC 9116) for scanners and people, and the
// policy page it points at, server-rendered from docs/security-policy.md like the other policies.
// The file's Expires is computed per request from the registry's clock, so it is never stale.
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Registry } from '../../registry.js';
import { ConfigError, type Config } from '../../config.js';
import {
  checkDisclosureSettings,
  DisclosureSettingError,
  formatSecurityTxt,
  securityTxt,
  type DisclosureSettings,
} from '../../domain/disclosure/security-txt.js';
import { html, layout, sendPage, type SafeHtml } from './html.js';
import { PAGE_ONLY } from './negotiation.js';

const SECURITY_POLICY = readFileSync(new URL('../../../docs/security-policy.md', import.meta.url), 'utf8');

export function disclosureSettings(config: Config): DisclosureSettings {
  return {
    contact: config.securityContact,
    expiresDays: config.securityTxtExpiresDays,
    languages: config.securityLanguages,
    policyUrl: config.securityPolicyUrl,
  };
}

/** A contact as a link on the page: mailto: and tel: as they are, https: too; the text is the address. */
function contactLink(uri: string): SafeHtml {
  const text = uri.replace(/^(mailto|tel):/i, '');
  return html`<a class="contact" href="${uri}">${text}</a>`;
}

export function registerDisclosurePages(app: FastifyInstance, registry: Registry): void {
  const settings = disclosureSettings(registry.config);
  try {
    checkDisclosureSettings(settings);
  } catch (err) {
    if (err instanceof DisclosureSettingError) throw new ConfigError(err.message);
    throw err;
  }
  const current = () => securityTxt(settings, registry.baseUrl(), registry.clock.now());

  app.get('/.well-known/security.txt', async (_request, reply) =>
    reply
      .type('text/plain; charset=utf-8')
      // A day at most: Expires moves with the clock, a cached copy must not outlive its own date by much.
      .header('cache-control', 'public, max-age=86400')
      .send(formatSecurityTxt(current())),
  );

  let article: Promise<SafeHtml> | undefined;
  app.get('/policies/security', { constraints: PAGE_ONLY }, async (_request, reply) => {
    article ??= import('./markdown.js').then(({ renderMarkdown }) => renderMarkdown(SECURITY_POLICY));
    const doc = current();
    const page = layout(
      'Vulnerability disclosure policy',
      html`<p class="notice setting">
          Report a vulnerability in this registry to ${doc.contacts.map((c, i) => html`${i > 0 ? ', ' : ''}${contactLink(c)}`)}.
          ${doc.languages.length > 0 ? html`Reports in ${doc.languages.join(', ')} are read.` : ''} Our target is to remediate
          within <strong class="remediation">90 days</strong>.
        </p>
        <article class="policy">${await article}</article>`,
    );
    return sendPage(reply, page);
  });
}
