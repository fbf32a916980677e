// What a package's creation means for orgs, inside the publish's transaction: the first publish
// under an unclaimed scope creates the org of that name with the publisher as owner; `access:
// "restricted"` (npm publish --access restricted; yarn 4's default for scoped packages) makes the
// package private; an org that turned it on grants new packages to its developers team.
import { fail } from '../errors.js';
import type { Repositories } from '../store.js';
import type { User } from '../accounts/store.js';
import { userActor } from '../access/actor.js';
import { scopeOf, type PackageName } from '../packages/names.js';
import { DEVELOPERS_TEAM } from './store.js';

/** attacker-controlled: the publish document's `access`; npm sends 'public', 'restricted' or null. */
export function requestedAccess(body: unknown): 'public' | 'restricted' | undefined {
  const access = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).access : undefined;
  if (access === undefined || access === null) return undefined;
  if (access === 'public' || access === 'restricted') return access;
  fail('BadRequest', 'access must be "public" or "restricted".');
}

/**
 * Only at creation: later publishes keep the package's visibility (`npm access set status` changes
 * it), or yarn 4, which sends "restricted" on every scoped publish, would hide a public package.
 */
export async function settleNewPackage(
  tx: Repositories,
  created: { name: PackageName; publisher: User; at: string; access: 'public' | 'restricted' | undefined },
): Promise<void> {
  const { name, publisher, at, access } = created;
  const scope = scopeOf(name);
  if (access === 'restricted') {
    if (!scope) fail('BadRequest', 'Only scoped packages can be restricted; publish with --access public or under a scope.');
    await tx.packages.setVisibility(name, 'restricted');
  }
  if (!scope) return;
  const org = scope.slice(1);
  const actor = userActor(publisher);
  if (await tx.orgs.createOrg(org, publisher.id, at)) {
    await tx.events.append({ type: 'org.created', actor, data: { org }, createdAt: at });
    return;
  }
  if ((await tx.orgs.org(org))?.developersGetNewPackages) {
    await tx.orgs.grant(org, DEVELOPERS_TEAM, name, 'read-write');
    await tx.events.append({
      type: 'package.access_granted',
      actor,
      packageName: name,
      data: { org, team: DEVELOPERS_TEAM, permission: 'read-write' },
      createdAt: at,
    });
  }
}
