// Step 2: may this principal publish to this name (a maintainer, or the first to claim it)?
// Runs before the body is read. The commit step asks again under the claim's lock.
import { enforce, type TokenPrincipal, type TrustedPublisherPrincipal } from '../../access/principal.js';
import type { RequestContext } from '../../access/context.js';
import { writersOf } from '../changes.js';
import type { Repositories } from '../../store.js';
import { canPublish, canRead, type PackageFacts } from '../authorize.js';
import { readFacts } from '../../orgs/readers.js';
import { scopeOf, type PackageName } from '../names.js';
import type { PublishStep } from './pipeline.js';

export const authorize: PublishStep = {
  name: 'authorize',
  async run(ctx, deps) {
    ctx.facts = await packageFacts(deps.store, ctx.name, ctx.request);
    ctx.publisher = publisherOf(ctx.request, ctx.facts, ctx.stage);
  },
};

/** Who a publish is made as, if `facts` allow it; refuses with the decision's code otherwise. */
export function publisherOf(
  request: RequestContext,
  facts: PackageFacts,
  stage = false,
): TokenPrincipal | TrustedPublisherPrincipal {
  return enforce(canPublish(request.principal, facts, stage ? 'stage' : 'publish'));
}

/**
 * The package and who may publish to it. The package is read first and its owners after: a
 * package and its first owner are committed together, so owners read later include them. Read in
 * the other order (or at once), a first publish committing in between shows a package with no
 * owners, and its own owner's next publish would be refused.
 */
export async function packageFacts(repos: Repositories, name: PackageName, request: RequestContext): Promise<PackageFacts> {
  const scope = scopeOf(name);
  const pkg = await repos.packages.get(name);
  const [owners, scopeOwners, org, writers, readable] = await Promise.all([
    repos.packages.owners(name),
    scope ? repos.packages.scopeOwners(scope) : Promise.resolve([]),
    scope ? orgFacts(repos, scope, request) : Promise.resolve(undefined),
    pkg ? writersOf(repos, name) : Promise.resolve(new Set<number>()),
    pkg && pkg.visibility !== 'public' ? readFacts(repos, name, pkg.visibility) : Promise.resolve(undefined),
  ]);
  const hidden = readable !== undefined && !canRead(request.principal, readable).ok;
  return { name, pkg, owners, scopeOwners, scope, org, writers, hidden };
}

/** The org owning `@scope` and the caller's role in it; undefined when no org owns it yet. */
async function orgFacts(repos: Repositories, scope: string, request: RequestContext): Promise<PackageFacts['org']> {
  const name = scope.slice(1);
  if (!(await repos.orgs.org(name))) return undefined;
  const { principal } = request;
  const role = principal.kind === 'user' ? await repos.orgs.role(name, principal.user.id) : undefined;
  return { name, role };
}
