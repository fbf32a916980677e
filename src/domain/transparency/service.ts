// The event transparency log (docs/transparency-log.md): appends committed events as leaves,
// answers the read side (checkpoint, tiles, entry bundles, proofs, the replication feed) and has
// witnesses cosign each new checkpoint. Stored subtree hashes never change once written, so they
// are kept in memory as they are read; everything else is read from the store each time.
import type { Store } from '../store.js';
import type { Clock } from '../clock.js';
import { fail } from '../errors.js';
import { APPEND_BATCH, appendBatch } from './appender.js';
import { PUBLISH_EVENTS } from './entries.js';
import { EMPTY_ROOT, consistencyProof, inclusionProof, nodesNeeded, type Hash, type NodeId, type NodeReader } from './merkle.js';
import { checkpointBody, generateNoteKey, signNote, verifierKey, type NoteKey } from './note.js';
import { TILE_HEIGHT, TILE_WIDTH, entryBundle, type TileId } from './tiles.js';
import { nodeKey, type StoredCheckpoint } from './store.js';
import { Witnesses, type WitnessClient, type WitnessConfig } from './witnesses.js';

export interface TransparencyDeps {
  store: Store;
  clock: Clock;
  /** The log's name when its key is first made; afterwards the stored key's name is the origin. */
  origin: string;
  witnesses: WitnessConfig[];
  witnessClient: WitnessClient;
  /** Told of failures, with names and sizes only. */
  warn: (message: string) => void;
}

export interface InclusionAnswer {
  leaf: number;
  size: number;
  proof: Hash[];
}

export interface FeedEntry {
  index: number;
  seq: number;
  entry: Buffer;
}

/** Most leaves one feed page returns. */
export const FEED_LIMIT = 1000;
const CACHE_NODES = 200_000;
/** How long a commit's append waits for others to join it. */
const WAKE_DELAY_MS = 20;

export class TransparencyLog {
  private key: NoteKey | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private wakeTimer: NodeJS.Timeout | undefined;
  private readonly cache = new Map<string, Hash>();
  private readonly witnesses: Witnesses;

  constructor(private readonly deps: TransparencyDeps) {
    this.witnesses = new Witnesses({ ...deps, readNodes: (nodes) => this.readNodes(nodes) });
  }

  /** Makes the log's key on first start; two instances starting at once end up with one. */
  async ensureKey(): Promise<NoteKey> {
    if (this.key) return this.key;
    const { store, clock } = this.deps;
    let key = await store.transparency.key();
    if (!key) {
      await store.transparency.insertKey(generateNoteKey(this.deps.origin), new Date(clock.now()).toISOString());
      key = await store.transparency.key();
    }
    this.key = key!;
    return this.key;
  }

  /** The verifier key (vkey) clients pin: `<origin>+<key id>+<base64 key>`. */
  async verifierKey(): Promise<string> {
    const key = await this.ensureKey();
    return verifierKey(key.name, key.publicKey);
  }

  /**
   * Asks for an append soon. Commits arriving meanwhile share one append transaction: an append
   * per commit would double the commits (and fsyncs) every publish pays for.
   */
  wake(): void {
    if (this.wakeTimer) return;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      void this.sync().catch((err: unknown) => this.deps.warn(`gatehouse: transparency append failed: ${(err as Error).name}`));
    }, WAKE_DELAY_MS);
    this.wakeTimer.unref();
  }

  /** Appends every settled event, then has witnesses cosign; overlapping calls share one run that starts after them. */
  sync(): Promise<void> {
    this.again = true;
    this.running ??= (async () => {
      try {
        while (this.again) {
          this.again = false;
          await this.appendAll();
          await this.witnesses
            .cosignLatest()
            .catch((err: unknown) => this.deps.warn(`gatehouse: cosigning failed: ${(err as Error).name}`));
        }
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  async stop(): Promise<void> {
    clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    await this.running?.catch(() => {});
  }

  private async appendAll(): Promise<void> {
    const key = await this.ensureKey();
    for (;;) {
      const result = await appendBatch(this.deps.store, key, this.deps.clock);
      // A short batch reached the end, or a hole that has not settled yet: the next sync goes on.
      if (!result || result.events < APPEND_BATCH) return;
    }
  }

  /** The newest checkpoint with every witness cosignature collected for it. */
  async checkpoint(): Promise<string> {
    const latest = await this.latest();
    const cosignatures = await this.deps.store.transparency.cosignatures(latest.size);
    return latest.note + cosignatures.map((line) => `${line}\n`).join('');
  }

  /** The newest signed checkpoint; the empty tree's, signed on the spot, before the first leaf. */
  private async latest(): Promise<StoredCheckpoint> {
    const found = await this.deps.store.transparency.latestCheckpoint();
    if (found) return found;
    const key = await this.ensureKey();
    const note = signNote(checkpointBody({ origin: key.name, size: 0, root: EMPTY_ROOT }), key);
    return { size: 0, note, createdAt: new Date(this.deps.clock.now()).toISOString() };
  }

  /** The size proofs are given against by default: the newest checkpoint's. */
  async size(): Promise<number> {
    return (await this.latest()).size;
  }

  private async checkSize(size: number, what: string): Promise<number> {
    const current = await this.size();
    if (!Number.isSafeInteger(size) || size < 0 || size > current) {
      fail('TlogOutOfRange', `${what} ${size} is beyond the log: its newest checkpoint has ${current} entries.`);
    }
    return current;
  }

  async inclusion(leaf: number, size?: number): Promise<InclusionAnswer> {
    const treeSize = size ?? (await this.size());
    await this.checkSize(treeSize, 'Tree size');
    if (!Number.isSafeInteger(leaf) || leaf < 0 || leaf >= treeSize) {
      fail('TlogOutOfRange', `Leaf ${leaf} is not in a tree of ${treeSize} entries; leaves are numbered from 0.`);
    }
    const proof = await this.compute((read) => inclusionProof(read, leaf, treeSize));
    return { leaf, size: treeSize, proof };
  }

  /** The inclusion proof of name@version's publish leaf, with the leaf's entry. */
  async inclusionOfVersion(name: string, version: string, size?: number): Promise<InclusionAnswer & { entry: Buffer }> {
    const leaf = await this.deps.store.transparency.leafFor(name, version, [...PUBLISH_EVENTS]);
    const treeSize = size ?? (await this.size());
    if (leaf === undefined || leaf >= treeSize) {
      fail(
        'TlogEntryNotFound',
        `The log has no publish entry for ${name}@${version}${size === undefined ? '' : ` in its first ${treeSize} entries`}.`,
      );
    }
    const answer = await this.inclusion(leaf, treeSize);
    const [entry] = await this.deps.store.transparency.entries(leaf, 1);
    return { ...answer, entry: entry! };
  }

  async consistency(from: number, to: number): Promise<Hash[]> {
    await this.checkSize(to, 'Tree size');
    if (!Number.isSafeInteger(from) || from < 0 || from > to) {
      fail('TlogOutOfRange', `A consistency proof goes from a smaller tree to a larger one; ${from} is not between 0 and ${to}.`);
    }
    return this.compute((read) => consistencyProof(read, from, to));
  }

  /** A hash tile or an entry bundle, as tlog-tiles serves it; undefined when the log is not that big yet. */
  async tile(tile: TileId): Promise<Buffer | undefined> {
    const size = await this.size();
    const first = tile.index * TILE_WIDTH;
    if (tile.level === 'entries') {
      if (first + tile.width > size) return undefined;
      return entryBundle(await this.deps.store.transparency.entries(first, tile.width));
    }
    const level = tile.level * TILE_HEIGHT;
    const available = Math.floor(size / 2 ** level);
    if (first + tile.width > available) return undefined;
    const hashes = await this.deps.store.transparency.levelRange(level, first, tile.width);
    return hashes.length === tile.width ? Buffer.concat(hashes) : undefined;
  }

  /** Leaves whose event came after `since`, in order: the replication feed for mirrors and monitors. */
  async feed(since: number, limit: number): Promise<FeedEntry[]> {
    const leaves = await this.deps.store.transparency.leavesAfterSeq(since, Math.min(Math.max(1, limit), FEED_LIMIT));
    return leaves.map((l) => ({ index: l.index, seq: l.eventSeq, entry: l.entry }));
  }

  /** Runs `compute` over stored hashes fetched in one query (those not already in memory). */
  private async compute<T>(compute: (read: NodeReader) => T): Promise<T> {
    const hashes = await this.readNodes(nodesNeeded(compute));
    return compute((level, index) => hashes.get(nodeKey(level, index))!);
  }

  private async readNodes(nodes: NodeId[]): Promise<Map<string, Hash>> {
    const found = new Map<string, Hash>();
    const missing: NodeId[] = [];
    for (const n of nodes) {
      const hash = this.cache.get(nodeKey(n.level, n.index));
      if (hash) found.set(nodeKey(n.level, n.index), hash);
      else missing.push(n);
    }
    const fetched = await this.deps.store.transparency.nodes(missing);
    if (this.cache.size + fetched.size > CACHE_NODES) this.cache.clear();
    for (const [k, hash] of fetched) {
      found.set(k, hash);
      this.cache.set(k, hash);
    }
    if (found.size !== nodes.length) throw new Error('the log is missing stored hashes');
    return found;
  }
}
