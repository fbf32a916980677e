// The typosquatting check as a publish step, after "policy" (the name's own rules): it runs only
// when the publish would create the package, so existing packages' owners never meet it.
import type { PublishStep } from '../packages/publish/pipeline.js';
import { need } from '../packages/publish/context.js';
import type { Claimant, NameDefence } from './service.js';

export function typosquatStep(names: NameDefence): PublishStep {
  return {
    name: 'typosquatting',
    async run(ctx) {
      const facts = need(ctx.facts, 'the package facts', 'typosquatting');
      const publisher = need(ctx.publisher, 'the publisher', 'typosquatting');
      if (facts.pkg) return;
      const claimant: Claimant =
        publisher.kind === 'user'
          ? { kind: 'user', user: publisher.user }
          : { kind: 'trusted-publisher', ownerId: publisher.ownerOnCreate };
      await names.checkNewName(ctx.name, claimant);
    },
  };
}
