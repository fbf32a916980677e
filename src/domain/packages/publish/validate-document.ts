// Step 3: the publish document parsed into one version request (name, version, tag, decoded
// tarball, digests checked). The first step that needs the body.
import { parsePublishDocument } from '../publish-document.js';
import type { PublishStep } from './pipeline.js';

export const validateDocument: PublishStep = {
  name: 'validate-document',
  run(ctx) {
    ctx.document = parsePublishDocument(ctx.name, ctx.body);
  },
};
