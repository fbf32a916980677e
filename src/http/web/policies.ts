// The registry's published policies, served from docs/ so the page and the document in the
// repository are the same text. The settings that vary per installation are stated above it.
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Registry } from '../../registry.js';
import { html, layout, sendPage } from './html.js';
import { renderMarkdown } from './markdown.js';
import { PAGE_ONLY } from './negotiation.js';

const UNPUBLISH_POLICY = readFileSync(new URL('../../../docs/unpublish-policy.md', import.meta.url), 'utf8');

function hours(n: number): string {
  return n === 1 ? '1 hour' : `${n} hours`;
}

export function registerPolicyPages(app: FastifyInstance, registry: Registry): void {
  const windowHours = registry.config.unpublishWindowHours;
  // Rendered once: the document and the setting only change with a restart.
  const page = layout(
    'Unpublish policy',
    html`<p class="notice setting">
        On this registry, maintainers may unpublish a version within <strong class="window">${hours(windowHours)}</strong> of
        publishing it.
      </p>
      <article class="policy">${renderMarkdown(UNPUBLISH_POLICY)}</article>`,
  );
  app.get('/policies/unpublish', { constraints: PAGE_ONLY }, async (_request, reply) => sendPage(reply, page));
}
