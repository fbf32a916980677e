// An independent RFC 6962 Merkle tree for tests: written from the RFC's recursive definitions
// (§2.1, §2.1.1, §2.1.2), sharing no code with src/domain/transparency, so the log's roots and
// proofs are checked against a second implementation. Verification rebuilds the roots top-down,
// the proof consumed from its end, instead of the RFC 9162 loop the log's own verifier uses.
import { createHash } from 'node:crypto';

const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
export const leaf = (entry: Buffer) => sha(Buffer.from([0]), entry);
const node = (l: Buffer, r: Buffer) => sha(Buffer.from([1]), l, r);
const split = (n: number) => 2 ** Math.ceil(Math.log2(n) - 1);

/** MTH(D[n]) over leaf hashes. */
export function mth(hashes: Buffer[]): Buffer {
  if (hashes.length === 0) return sha();
  if (hashes.length === 1) return hashes[0]!;
  const k = split(hashes.length);
  return node(mth(hashes.slice(0, k)), mth(hashes.slice(k)));
}

/** PATH(m, D[n]). */
export function path(m: number, hashes: Buffer[]): Buffer[] {
  if (hashes.length <= 1) return [];
  const k = split(hashes.length);
  return m < k
    ? [...path(m, hashes.slice(0, k)), mth(hashes.slice(k))]
    : [...path(m - k, hashes.slice(k)), mth(hashes.slice(0, k))];
}

/** PROOF(m, D[n]). */
export function consistency(m: number, hashes: Buffer[]): Buffer[] {
  const sub = (m: number, d: Buffer[], whole: boolean): Buffer[] => {
    if (m === d.length) return whole ? [] : [mth(d)];
    const k = split(d.length);
    return m <= k ? [...sub(m, d.slice(0, k), whole), mth(d.slice(k))] : [...sub(m - k, d.slice(k), false), mth(d.slice(0, k))];
  };
  return m === 0 || m === hashes.length ? [] : sub(m, hashes, true);
}

/** The root the inclusion proof of leaf m (hash h) in a tree of size n implies. */
export function rootFromPath(m: number, n: number, h: Buffer, proof: Buffer[]): Buffer {
  const rest = [...proof];
  const walk = (m: number, n: number): Buffer => {
    if (n === 1) return h;
    const k = split(n);
    const sibling = rest.pop();
    if (!sibling) throw new Error('proof too short');
    return m < k ? node(walk(m, k), sibling) : node(sibling, walk(m - k, n - k));
  };
  const root = walk(m, n);
  if (rest.length > 0) throw new Error('proof too long');
  return root;
}

/** Checks a consistency proof from (m, oldRoot) to (n, newRoot). */
export function checkConsistency(m: number, n: number, proof: Buffer[], oldRoot: Buffer, newRoot: Buffer): boolean {
  if (m === n) return proof.length === 0 && oldRoot.equals(newRoot);
  if (m === 0) return proof.length === 0;
  const rest = [...proof];
  const walk = (m: number, n: number, whole: boolean): { old: Buffer; now: Buffer } => {
    if (m === n) {
      if (whole) return { old: oldRoot, now: oldRoot };
      const x = rest.pop();
      if (!x) throw new Error('proof too short');
      return { old: x, now: x };
    }
    const k = split(n);
    const x = rest.pop();
    if (!x) throw new Error('proof too short');
    if (m <= k) {
      const inner = walk(m, k, whole);
      return { old: inner.old, now: node(inner.now, x) };
    }
    const inner = walk(m - k, n - k, false);
    return { old: node(x, inner.old), now: node(x, inner.now) };
  };
  try {
    const { old, now } = walk(m, n, true);
    return rest.length === 0 && old.equals(oldRoot) && now.equals(newRoot);
  } catch {
    return false;
  }
}
