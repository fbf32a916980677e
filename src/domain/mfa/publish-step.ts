// The publish step for second factors, placed right after "authorize" (who publishes is known,
// the body is not read yet): a refused publish is refused before its tarball is decoded. What
// the policy has to say during its grace period goes to npm-notice, which npm prints.
import type { PublishStep } from '../packages/publish/index.js';
import type { WriteChecks } from './writes.js';

export function secondFactorStep(writes: WriteChecks): PublishStep {
  return {
    name: 'second-factor',
    async run(ctx) {
      ctx.notices.push(...(await writes.check(ctx.request, ctx.stage ? 'stage' : 'publish')));
    },
  };
}
