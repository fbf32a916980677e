// Who made a change, as the event log and a version's publisher record it. Not a principal: a
// principal asks (and may be refused); an actor is what is remembered after the commit, so it
// names only what an audit needs and outlives the token or session that asked.
import type { User } from '../accounts/store.js';

export type Actor =
  /** A registered user, whatever way they came in (token or web session). */
  | { kind: 'user'; userId: number }
  /** A trusted publisher (an OIDC identity); `id` is its configuration's id, set by the authorization track. */
  | { kind: 'trusted-publisher'; id: string }
  /** The registry itself or an operator at the command line (`gatehouse import`, `gatehouse user create`). */
  | { kind: 'system' };

export type ActorKind = Actor['kind'];

export const ACTOR_KINDS: readonly ActorKind[] = ['user', 'trusted-publisher', 'system'];

export const SYSTEM_ACTOR: Actor = { kind: 'system' };

export function userActor(user: Pick<User, 'id'>): Actor {
  return { kind: 'user', userId: user.id };
}
