// Step 8: what follows a committed publish. Cache invalidation (and later signatures, the
// transparency log and notifications) subscribe to the committed event instead (domain/events),
// so a crash between the commit and here loses none of them; this step shapes the answer.
import { need } from './context.js';
import type { PublishStep } from './pipeline.js';

export const afterCommit: PublishStep = {
  name: 'after-commit',
  run(ctx) {
    const document = need(ctx.document, 'the document', 'after-commit');
    need(ctx.publishedAt, 'the commit', 'after-commit');
    ctx.published = {
      name: ctx.name,
      version: document.version,
      tag: document.tag,
      integrity: document.integrity,
      warnings: ctx.warnings,
      notices: ctx.notices,
      ...(ctx.stageId !== undefined && { stageId: ctx.stageId }),
    };
  },
};
