// An Actor as two columns (kind, id as text) and back. The id is text so one column holds a
// user's number, a trusted publisher's id, or nothing for the system.
import { ACTOR_KINDS, type Actor, type ActorKind } from '../../domain/access/actor.js';

export function actorColumns(actor: Actor): { kind: ActorKind; id: string | null } {
  switch (actor.kind) {
    case 'user':
      return { kind: 'user', id: String(actor.userId) };
    case 'trusted-publisher':
      return { kind: 'trusted-publisher', id: actor.id };
    case 'system':
      return { kind: 'system', id: null };
  }
}

/** Only this module writes these columns, so anything else is a damaged row: refused, never guessed. */
export function actorFrom(kind: string, id: string | null): Actor {
  if (!(ACTOR_KINDS as readonly string[]).includes(kind)) throw new Error(`unknown actor kind ${JSON.stringify(kind)}`);
  if (kind === 'system') return { kind: 'system' };
  if (id === null) throw new Error(`a ${kind} actor without an id`);
  if (kind === 'trusted-publisher') return { kind: 'trusted-publisher', id };
  const userId = Number(id);
  if (!Number.isSafeInteger(userId)) throw new Error(`a user actor with id ${JSON.stringify(id)}`);
  return { kind: 'user', userId };
}
