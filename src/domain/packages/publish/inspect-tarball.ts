// Step 5: the tarball read once and offered to every inspector, then held against its document.
// Later: the malware scan is an inspector (deps.inspectors) and its verdict a step after this one.
import { checkVersion } from './check-version.js';
import { need } from './context.js';
import type { PublishStep } from './pipeline.js';

export const inspectTarball: PublishStep = {
  name: 'inspect-tarball',
  async run(ctx, deps) {
    ctx.checked = await checkVersion(deps, need(ctx.document, 'the document', 'inspect-tarball'));
    ctx.warnings.push(...ctx.checked.warnings);
  },
};
