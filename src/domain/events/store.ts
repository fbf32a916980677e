// Events are the registry's memory: every change appends one inside its own transaction.
// They never hold secrets (no tokens, no passwords, no hashes of either).
export type EventType =
  | 'user.created'
  | 'user.login'
  | 'token.created'
  | 'token.revoked'
  | 'package.published'
  | 'version.imported'
  | 'package.unpublished'
  | 'version.unpublished'
  | 'version.deprecated'
  | 'version.undeprecated'
  | 'dist_tag.set'
  | 'dist_tag.removed'
  | 'owner.added'
  | 'owner.removed';

export interface NewEvent {
  type: EventType;
  actorId: number | null;
  packageName?: string;
  version?: string;
  data?: Record<string, unknown>;
  createdAt: string;
}

export interface RegistryEvent extends Required<Omit<NewEvent, 'packageName' | 'version'>> {
  seq: number;
  packageName: string | null;
  version: string | null;
}

export interface EventStore {
  append(event: NewEvent): Promise<number>;
  since(seq: number, limit: number): Promise<RegistryEvent[]>;
  latestSeq(): Promise<number>;
}
