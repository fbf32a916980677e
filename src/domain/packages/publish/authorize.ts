// Step 2: may this principal publish to this name (a maintainer, or the first to claim it)?
// Runs before the body is read. The commit step asks again under the claim's lock.
import { enforce, type TokenPrincipal, type TrustedPublisherPrincipal } from '../../access/principal.js';
import type { RequestContext } from '../../access/context.js';
import type { Repositories } from '../../store.js';
import { canPublish, type PackageFacts } from '../authorize.js';
import { scopeOf, type PackageName } from '../names.js';
import type { PublishStep } from './pipeline.js';

export const authorize: PublishStep = {
  name: 'authorize',
  async run(ctx, deps) {
    ctx.facts = await packageFacts(deps.store, ctx.name);
    ctx.publisher = publisherOf(ctx.request, ctx.facts);
  },
};

/** Who a publish is made as, if `facts` allow it; refuses with the decision's code otherwise. */
export function publisherOf(request: RequestContext, facts: PackageFacts): TokenPrincipal | TrustedPublisherPrincipal {
  return enforce(canPublish(request.principal, facts));
}

/**
 * The package and who may publish to it. The package is read first and its owners after: a
 * package and its first owner are committed together, so owners read later include them. Read in
 * the other order (or at once), a first publish committing in between shows a package with no
 * owners, and its own owner's next publish would be refused.
 */
export async function packageFacts(repos: Repositories, name: PackageName): Promise<PackageFacts> {
  const scope = scopeOf(name);
  const pkg = await repos.packages.get(name);
  const [owners, scopeOwners] = await Promise.all([
    repos.packages.owners(name),
    scope ? repos.packages.scopeOwners(scope) : Promise.resolve([]),
  ]);
  return { name, pkg, owners, scopeOwners, scope };
}
