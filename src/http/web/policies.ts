// The registry's published policies, served from docs/ so the page and the document in the
// repository are the same text. The settings that vary per installation are stated above it.
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Registry } from '../../registry.js';
import { html, layout, sendPage, type SafeHtml } from './html.js';
import { PAGE_ONLY } from './negotiation.js';

const UNPUBLISH_POLICY = readFileSync(new URL('../../../docs/unpublish-policy.md', import.meta.url), 'utf8');
const RECOVERY_POLICY = readFileSync(new URL('../../../docs/account-recovery.md', import.meta.url), 'utf8');

function hours(n: number): string {
  return n === 1 ? '1 hour' : `${n} hours`;
}

/**
 * The page `build` makes around the document's HTML, rendered on its first view: the markdown
 * renderer (marked, sanitize-html) is loaded then, rather than held by every registry from start.
 */
function onFirstView(markdown: string, build: (article: SafeHtml) => SafeHtml): () => Promise<SafeHtml> {
  let page: Promise<SafeHtml> | undefined;
  return () => (page ??= import('./markdown.js').then(({ renderMarkdown }) => build(renderMarkdown(markdown))));
}

export function registerPolicyPages(app: FastifyInstance, registry: Registry): void {
  const windowHours = registry.config.unpublishWindowHours;
  // Rendered once: the document and the setting only change with a restart.
  const page = onFirstView(UNPUBLISH_POLICY, (article) =>
    layout(
      'Unpublish policy',
      html`<p class="notice setting">
          On this registry, maintainers may unpublish a version within <strong class="window">${hours(windowHours)}</strong> of
          publishing it.
        </p>
        <article class="policy">${article}</article>`,
    ),
  );
  app.get('/policies/unpublish', { constraints: PAGE_ONLY }, async (_request, reply) => sendPage(reply, await page()));

  const { config } = registry;
  const locked =
    config.restrictedHours > 0
      ? html`After an email change, the use of a recovery code or an administrator's recovery,
          ${config.restrictedAccounts === 'everyone' ? 'every account' : 'an account that maintains a critical package'} is
          read-only for <strong class="restricted">${hours(config.restrictedHours)}</strong>.`
      : 'Accounts are not put read-only after recovery here.';
  const recoveryPage = onFirstView(RECOVERY_POLICY, (article) =>
    layout(
      'Account recovery policy',
      html`<p class="notice setting">
          On this registry, a password reset link works for
          <strong class="reset-window">${config.passwordResetMinutes} minutes</strong>. ${locked}
        </p>
        <article class="policy">${article}</article>`,
    ),
  );
  app.get('/policies/account-recovery', { constraints: PAGE_ONLY }, async (_request, reply) =>
    sendPage(reply, await recoveryPage()),
  );
}
