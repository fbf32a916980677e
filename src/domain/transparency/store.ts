// What the transparency log keeps (the Kysely version is storage/db/transparency.ts): its position
// in the event sequence, its leaves, the hashes of its complete subtrees (never rewritten), its
// signing key, its signed checkpoints with witnesses' cosignatures, and what each witness last saw.
import type { EventType } from '../events/store.js';
import type { NodeId } from './merkle.js';
import type { NoteKey } from './note.js';

export interface LogState {
  /** Leaves in the tree. */
  size: number;
  /** The last event seq the log has considered (logged or not). */
  eventSeq: number;
}

export interface NewLeaf {
  index: number;
  eventSeq: number;
  type: EventType;
  packageName: string | null;
  version: string | null;
  entry: Buffer;
}

export interface StoredNode extends NodeId {
  hash: Buffer;
}

export interface LoggedLeaf {
  index: number;
  eventSeq: number;
  entry: Buffer;
}

export interface StoredCheckpoint {
  size: number;
  /** The signed note as the log signed it (the log's own signature only). */
  note: string;
  createdAt: string;
}

export interface TransparencyStore {
  /** The log's position; with `lock`, held until the transaction ends (PostgreSQL; SQLite writes one at a time). */
  state(opts?: { lock?: boolean }): Promise<LogState>;
  /** Compare-and-set: moves the position from `from` to `to`; false when another writer moved it. */
  advance(from: LogState, to: LogState): Promise<boolean>;
  insertLeaves(leaves: NewLeaf[]): Promise<void>;
  insertNodes(nodes: StoredNode[]): Promise<void>;
  /** The stored hashes among `nodes`, keyed `level/index`. */
  nodes(nodes: NodeId[]): Promise<Map<string, Buffer>>;
  /** Hashes at `level` for indexes from…from+count−1 that exist, in order (a tile's contents). */
  levelRange(level: number, from: number, count: number): Promise<Buffer[]>;
  /** Leaf entries from…from+count−1 that exist, in order. */
  entries(from: number, count: number): Promise<Buffer[]>;
  /** Leaves whose event seq is after `seq`, in order. */
  leavesAfterSeq(seq: number, limit: number): Promise<LoggedLeaf[]>;
  /** The leaf index of the newest leaf of one of `types` about name@version. */
  leafFor(name: string, version: string, types: readonly EventType[]): Promise<number | undefined>;
  /** Which of `names` are packages not everyone may read. */
  restrictedPackages(names: string[]): Promise<Set<string>>;
  key(): Promise<NoteKey | undefined>;
  /** False when another instance made the key first. */
  insertKey(key: NoteKey, createdAt: string): Promise<boolean>;
  saveCheckpoint(checkpoint: StoredCheckpoint): Promise<void>;
  latestCheckpoint(): Promise<StoredCheckpoint | undefined>;
  checkpoint(size: number): Promise<StoredCheckpoint | undefined>;
  saveCosignature(size: number, witness: string, line: string): Promise<void>;
  cosignatures(size: number): Promise<string[]>;
  /** The tree size a witness last cosigned (0: never). */
  witnessSize(witness: string): Promise<number>;
  setWitnessSize(witness: string, size: number): Promise<void>;
}

export const nodeKey = (level: number, index: number): string => `${level}/${index}`;
