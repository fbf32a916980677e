// Step 1: someone must be asking. Later: the one-time password and trusted-publisher tokens go
// here (or as steps registered before "authorize"). Runs before the body is read, so it must
// never need the body.
import { fail } from '../../errors.js';
import type { PublishStep } from './pipeline.js';

export const authenticate: PublishStep = {
  name: 'authenticate',
  run(ctx) {
    if (ctx.request.principal.kind === 'anonymous') {
      fail('Unauthenticated', 'You must be logged in to publish. Run `npm login` first.');
    }
  },
};
