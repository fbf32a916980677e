// The publish step for packages that require staging, placed right after "authorize" (so before
// the body is read): a direct publish of such a package is refused and pointed at
// `npm stage publish`; a stage passes. A new package has no setting yet, so its first publish passes.
import { fail } from '../errors.js';
import type { PublishStep } from '../packages/publish/index.js';
import type { StageStore } from './store.js';

export function stagingRequiredStep(stages: Pick<StageStore, 'requiresStaging'>): PublishStep {
  return {
    name: 'staging-required',
    async run(ctx) {
      if (ctx.stage || !ctx.facts?.pkg) return;
      if (await stages.requiresStaging(ctx.name)) {
        fail(
          'StagingRequired',
          `${ctx.name} takes new versions only through staging: run \`npm stage publish\`, then a maintainer approves it with \`npm stage approve <id> --otp=<code>\`.`,
        );
      }
    },
  };
}
