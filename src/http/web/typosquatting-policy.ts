// /policies/typosquatting: the look-alike-name policy (docs/typosquatting.md) as a page, with this
// installation's setting above it. The NameTooSimilar refusal points here as the way to appeal.
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Registry } from '../../registry.js';
import { html, layout, sendPage, type SafeHtml } from './html.js';
import { PAGE_ONLY } from './negotiation.js';

const POLICY = readFileSync(new URL('../../../docs/typosquatting.md', import.meta.url), 'utf8');

const OUTCOME: Record<string, string> = {
  refuse: 'a new name that resembles a protected or popular package is refused',
  hold: 'a new name that resembles a protected or popular package is held for an administrator’s review',
  off: 'new names are not checked for resemblance',
};

export function registerTyposquattingPolicyPage(app: FastifyInstance, registry: Registry): void {
  let page: Promise<SafeHtml> | undefined;
  // Rendered on first view (the markdown renderer loads then), once: the setting changes only with a restart.
  const render = () =>
    (page ??= import('./markdown.js').then(({ renderMarkdown }) =>
      layout(
        'Typosquatting policy',
        html`<p class="notice setting">
            On this registry, <strong class="typosquat-policy">${OUTCOME[registry.config.typosquatPolicy] ?? ''}</strong>.
          </p>
          <article class="policy">${renderMarkdown(POLICY)}</article>`,
      ),
    ));
  app.get('/policies/typosquatting', { constraints: PAGE_ONLY }, async (_request, reply) => sendPage(reply, await render()));
}
