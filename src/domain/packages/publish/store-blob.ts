// Step 6: the tarball bytes written, content-addressed, before the transaction. An orphan left by
// a refusal after this point is harmless; a version row pointing at missing bytes would not be.
import { need } from './context.js';
import type { PublishStep } from './pipeline.js';

export const storeBlob: PublishStep = {
  name: 'store-blob',
  async run(ctx, deps) {
    ctx.blob = await deps.blobs.put(need(ctx.document, 'the document', 'store-blob').tarball);
  },
};
