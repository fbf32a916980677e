// Has each configured witness cosign the newest checkpoint (C2SP tlog-witness): the witness is
// sent the size it last saw, a consistency proof from there and the signed checkpoint; it checks
// them itself and answers with a tlog-cosignature line, kept only when it verifies under the
// witness's configured key. A witness that is down delays its cosignature, never an append.
import type { Store } from '../store.js';
import { consistencyProof, nodesNeeded, type Hash, type NodeId } from './merkle.js';
import { cosignatureTime, parseNote, type Verifier } from './note.js';
import { nodeKey } from './store.js';

export interface WitnessConfig {
  url: string;
  verifier: Verifier;
}

export interface WitnessAnswer {
  status: number;
  body: string;
}

/** POSTs to `<url>/add-checkpoint` (the adapter is src/adapters/witness/http-witness.ts). */
export interface WitnessClient {
  addCheckpoint(url: string, body: string): Promise<WitnessAnswer>;
}

interface WitnessesDeps {
  store: Store;
  witnesses: WitnessConfig[];
  witnessClient: WitnessClient;
  warn: (message: string) => void;
  readNodes: (nodes: NodeId[]) => Promise<Map<string, Hash>>;
}

export class Witnesses {
  constructor(private readonly deps: WitnessesDeps) {}

  async cosignLatest(): Promise<void> {
    if (this.deps.witnesses.length === 0) return;
    const latest = await this.deps.store.transparency.latestCheckpoint();
    if (!latest) return;
    const have = new Set((await this.deps.store.transparency.cosignatures(latest.size)).map((line) => line.split(' ')[1]));
    for (const witness of this.deps.witnesses) {
      if (have.has(witness.verifier.name)) continue;
      await this.cosign(witness, latest.size, latest.note).catch((err: unknown) =>
        this.deps.warn(`gatehouse: witness ${witness.verifier.name} did not cosign size ${latest.size}: ${(err as Error).name}`),
      );
    }
  }

  private async cosign(witness: WitnessConfig, size: number, note: string): Promise<void> {
    const { store } = this.deps;
    const name = witness.verifier.name;
    for (let attempt = 0; attempt < 2; attempt++) {
      const old = await store.transparency.witnessSize(name);
      if (old > size) return;
      const proof = await this.proof(old, size);
      const body = `old ${old}\n${proof.map((h) => `${h.toString('base64')}\n`).join('')}\n${note}`;
      const answer = await this.deps.witnessClient.addCheckpoint(witness.url, body);
      if (answer.status === 409 && /^[0-9]+\n?$/.test(answer.body)) {
        // tlog-witness: the witness saw another size; it says which, and the request is made again from there.
        await store.transparency.setWitnessSize(name, Number(answer.body.trim()));
        continue;
      }
      if (answer.status !== 200) {
        this.deps.warn(`gatehouse: witness ${name} refused the checkpoint of size ${size} (HTTP ${answer.status})`);
        return;
      }
      const line = this.verified(witness, note, answer.body);
      if (!line) {
        this.deps.warn(`gatehouse: witness ${name} answered without a valid cosignature for size ${size}`);
        return;
      }
      await store.transparency.saveCosignature(size, name, line);
      await store.transparency.setWitnessSize(name, size);
      return;
    }
  }

  /** The answer's cosignature line that verifies under the witness's key. */
  private verified(witness: WitnessConfig, note: string, answer: string): string | undefined {
    const { text } = parseNote(note);
    // The answer is signature lines only: parse them as the tail of a note over the same text.
    try {
      const { signatures } = parseNote(`${text}\n${answer.endsWith('\n') ? answer : `${answer}\n`}`);
      const good = signatures.find((s) => cosignatureTime(text, [s], witness.verifier) !== undefined);
      return good?.line;
    } catch {
      return undefined;
    }
  }

  private async proof(from: number, to: number): Promise<Hash[]> {
    const compute = (read: (level: number, index: number) => Hash) => consistencyProof(read, from, to);
    const hashes = await this.deps.readNodes(nodesNeeded(compute));
    return compute((level, index) => hashes.get(nodeKey(level, index))!);
  }
}
