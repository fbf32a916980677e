// RFC 6962 / RFC 9162 Merkle tree hashing over the transparency log's stored hashes: roots,
// inclusion and consistency proofs, and their verification (the `gatehouse verify` side uses the
// same verifiers). Imports nothing from storage or http. A stored hash is the hash of a complete
// subtree: node (level, index) covers leaves [index·2^level, (index+1)·2^level), so it never
// changes once written, and every proof reads O(log n) of them.
import { createHash } from 'node:crypto';

export type Hash = Buffer;

/** A complete subtree's coordinates. */
export interface NodeId {
  level: number;
  index: number;
}

/** Reads stored hashes synchronously (the caller fetched them first; see `nodesNeeded`). */
export type NodeReader = (level: number, index: number) => Hash;

// RFC 6962 §2.1: leaf hash = SHA-256(0x00 || entry); interior = SHA-256(0x01 || left || right).
export function leafHash(entry: Buffer): Hash {
  return createHash('sha256').update(LEAF_PREFIX).update(entry).digest();
}

export function nodeHash(left: Hash, right: Hash): Hash {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

const LEAF_PREFIX = Buffer.from([0]);
const NODE_PREFIX = Buffer.from([1]);
/** RFC 6962 §2.1: the hash of an empty tree is the hash of the empty string. */
export const EMPTY_ROOT: Hash = createHash('sha256').digest();

/** The largest power of two strictly below n (n ≥ 2): RFC 6962's split point k. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && 2 ** Math.round(Math.log2(n)) === n;
}

/** MTH(D[lo:hi]) for a range RFC 6962's recursion produces (lo is a multiple of the range's top power of two). */
export function rangeHash(read: NodeReader, lo: number, hi: number): Hash {
  const n = hi - lo;
  if (isPowerOfTwo(n)) {
    const level = Math.log2(n);
    return read(level, lo / n);
  }
  const k = splitPoint(n);
  return nodeHash(rangeHash(read, lo, lo + k), rangeHash(read, lo + k, hi));
}

export function treeRoot(read: NodeReader, size: number): Hash {
  return size === 0 ? EMPTY_ROOT : rangeHash(read, 0, size);
}

/** RFC 6962 §2.1.1 PATH(m, D[n]): the inclusion proof of leaf m in the tree of size n, leaf side first. */
export function inclusionProof(read: NodeReader, leaf: number, size: number): Hash[] {
  const proof: Hash[] = [];
  const path = (m: number, lo: number, hi: number): void => {
    if (hi - lo === 1) return;
    const k = splitPoint(hi - lo);
    if (m - lo < k) {
      path(m, lo, lo + k);
      proof.push(rangeHash(read, lo + k, hi));
    } else {
      path(m, lo + k, hi);
      proof.push(rangeHash(read, lo, lo + k));
    }
  };
  path(leaf, 0, size);
  return proof;
}

/** RFC 6962 §2.1.2 PROOF(m, D[n]): that the tree of size m is a prefix of the tree of size n. */
export function consistencyProof(read: NodeReader, from: number, to: number): Hash[] {
  const proof: Hash[] = [];
  if (from === 0 || from === to) return proof;
  const subproof = (m: number, lo: number, hi: number, whole: boolean): void => {
    if (m === hi - lo) {
      if (!whole) proof.push(rangeHash(read, lo, hi));
      return;
    }
    const k = splitPoint(hi - lo);
    if (m <= k) {
      subproof(m, lo, lo + k, whole);
      proof.push(rangeHash(read, lo + k, hi));
    } else {
      subproof(m - k, lo + k, hi, false);
      proof.push(rangeHash(read, lo, lo + k));
    }
  };
  subproof(from, 0, to, true);
  return proof;
}

/**
 * The stored hashes `compute` reads, found by running it over placeholders. Proofs and roots are
 * computed twice: once to learn which rows to fetch (one query), once over the fetched rows.
 */
export function nodesNeeded(compute: (read: NodeReader) => unknown): NodeId[] {
  const seen = new Map<string, NodeId>();
  compute((level, index) => {
    seen.set(`${level}/${index}`, { level, index });
    return PLACEHOLDER;
  });
  return [...seen.values()];
}

const PLACEHOLDER = Buffer.alloc(32);

/**
 * The interior nodes that become complete when leaves [oldSize, newSize) are added, lowest level
 * first, so each one's children are either older stored nodes or computed just before it.
 */
export function newNodes(oldSize: number, newSize: number): NodeId[] {
  const nodes: NodeId[] = [];
  for (let level = 1; 2 ** level <= newSize; level++) {
    const width = 2 ** level;
    for (let index = Math.floor(oldSize / width); (index + 1) * width <= newSize; index++) {
      if ((index + 1) * width > oldSize) nodes.push({ level, index });
    }
  }
  return nodes;
}

// ----- verification: what a client that holds only a checkpoint and a proof can check -----

/** RFC 9162 §2.1.3.2: recomputes the root from leaf `leaf`'s hash and its inclusion proof. */
export function rootFromInclusionProof(leaf: number, size: number, hash: Hash, proof: readonly Hash[]): Hash {
  if (!(leaf >= 0 && leaf < size)) throw new RangeError(`leaf ${leaf} is not in a tree of size ${size}`);
  let fn = leaf;
  let sn = size - 1;
  let r = hash;
  for (const p of proof) {
    if (sn === 0) throw new RangeError('the inclusion proof is too long');
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new RangeError('the inclusion proof is too short');
  return r;
}

export function verifyInclusion(leaf: number, size: number, hash: Hash, proof: readonly Hash[], root: Hash): boolean {
  try {
    return rootFromInclusionProof(leaf, size, hash, proof).equals(root);
  } catch {
    return false;
  }
}

/** RFC 9162 §2.1.4.2: the tree of size `from` with root `fromRoot` is a prefix of the one of size `to`. */
export function verifyConsistency(from: number, to: number, proof: readonly Hash[], fromRoot: Hash, toRoot: Hash): boolean {
  if (from > to) return false;
  if (from === to) return proof.length === 0 && fromRoot.equals(toRoot);
  if (from === 0) return proof.length === 0;
  const path = [...proof];
  // When `from` is a power of two its root is itself the first node of the path.
  if (isPowerOfTwo(from)) path.unshift(fromRoot);
  if (path.length === 0) return false;
  let fn = from - 1;
  let sn = to - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && fr.equals(fromRoot) && sr.equals(toRoot);
}
