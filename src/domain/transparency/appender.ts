// Turns committed events into leaves, in event order, in batches. One transaction per batch reads
// the events after the log's position, writes their leaves and every subtree hash they complete,
// signs the new checkpoint and moves the position with a compare-and-set: a crash leaves either
// the whole batch or none of it, and two instances can never both append the same events.
// It must never skip or reorder a logged event: it stops at a hole in the event sequence that
// may still fill (a PostgreSQL transaction not yet committed) and waits for it.
import type { Repositories, Store } from '../store.js';
import type { Clock } from '../clock.js';
import type { RegistryEvent } from '../events/store.js';
import { settled } from '../mail/outbox.js';
import { LOGGED_EVENTS, leafEntry } from './entries.js';
import { leafHash, newNodes, nodeHash, nodesNeeded, treeRoot, type NodeReader } from './merkle.js';
import { checkpointBody, signNote, type NoteKey } from './note.js';
import { nodeKey, type LogState, type NewLeaf, type StoredNode } from './store.js';

export const APPEND_BATCH = 2000;

export interface AppendResult {
  /** The state after the batch. */
  state: LogState;
  leaves: number;
  /** Events considered (logged or not). */
  events: number;
}

/** Appends one batch; undefined when nothing new had settled (or another instance moved first). */
export async function appendBatch(store: Store, key: NoteKey, clock: Clock): Promise<AppendResult | undefined> {
  return store
    .transaction(async (tx) => {
      const from = await tx.transparency.state({ lock: true });
      const events = settled(from.eventSeq, await tx.events.since(from.eventSeq, APPEND_BATCH), clock.now());
      if (events.length === 0) return undefined;
      const logged = await loggedOf(tx, events);
      const to: LogState = { size: from.size + logged.length, eventSeq: events[events.length - 1]!.seq };
      if (logged.length > 0) await writeLeaves(tx, from.size, logged, key, clock);
      if (!(await tx.transparency.advance(from, to))) throw new PositionMoved();
      return { state: to, leaves: logged.length, events: events.length };
    })
    .catch((err: unknown) => {
      if (err instanceof PositionMoved) return undefined;
      throw err;
    });
}

class PositionMoved extends Error {}

/**
 * The events that become leaves. A restricted package's events stay out: the log is public, and
 * its leaves would name a private package and its versions to everyone.
 */
async function loggedOf(tx: Repositories, events: RegistryEvent[]): Promise<RegistryEvent[]> {
  const candidates = events.filter((e) => LOGGED_EVENTS.has(e.type));
  const names = candidates.map((e) => e.packageName).filter((n): n is string => n !== null);
  const restricted = await tx.transparency.restrictedPackages(names);
  return candidates.filter((e) => e.packageName === null || !restricted.has(e.packageName));
}

async function writeLeaves(tx: Repositories, size: number, events: RegistryEvent[], key: NoteKey, clock: Clock): Promise<void> {
  const leaves: NewLeaf[] = events.map((event, i) => ({
    index: size + i,
    eventSeq: event.seq,
    type: event.type,
    packageName: event.packageName,
    version: event.version,
    entry: leafEntry(event),
  }));
  const newSize = size + leaves.length;
  const fresh = new Map<string, Buffer>();
  const written: StoredNode[] = [];
  for (const leaf of leaves) {
    const hash = leafHash(leaf.entry);
    fresh.set(nodeKey(0, leaf.index), hash);
    written.push({ level: 0, index: leaf.index, hash });
  }
  const interior = newNodes(size, newSize);
  // Children complete before this batch are stored already: fetched in one query.
  const older = interior
    .flatMap(({ level, index }) => [
      { level: level - 1, index: 2 * index },
      { level: level - 1, index: 2 * index + 1 },
    ])
    .filter(({ level, index }) => (index + 1) * 2 ** level <= size);
  const known = new Map([...(await tx.transparency.nodes(older)), ...fresh]);
  const read: NodeReader = (level, index) => {
    const hash = known.get(nodeKey(level, index));
    if (!hash) throw new Error(`the log is missing the hash of node ${level}/${index}`);
    return hash;
  };
  for (const { level, index } of interior) {
    const hash = nodeHash(read(level - 1, 2 * index), read(level - 1, 2 * index + 1));
    known.set(nodeKey(level, index), hash);
    written.push({ level, index, hash });
  }
  const rootNodes = nodesNeeded((r) => treeRoot(r, newSize)).filter((n) => !known.has(nodeKey(n.level, n.index)));
  for (const [k, hash] of await tx.transparency.nodes(rootNodes)) known.set(k, hash);
  const root = treeRoot(read, newSize);
  await tx.transparency.insertLeaves(leaves);
  await tx.transparency.insertNodes(written);
  const note = signNote(checkpointBody({ origin: key.name, size: newSize, root }), key);
  await tx.transparency.saveCheckpoint({ size: newSize, note, createdAt: new Date(clock.now()).toISOString() });
}
