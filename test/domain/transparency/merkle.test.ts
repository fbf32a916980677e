// The log's Merkle code against the independent RFC 6962 implementation in test/support: roots,
// inclusion and consistency proofs for every size up to 70 and every leaf, and the log's own
// verifiers refusing altered proofs. Also the tlog-tiles path spelling and signed-note keys.
import { describe, expect, it } from 'vitest';
import { createHash, createPublicKey, verify } from 'node:crypto';
import {
  consistencyProof,
  inclusionProof,
  leafHash,
  newNodes,
  nodeHash,
  treeRoot,
  verifyConsistency,
  verifyInclusion,
  type NodeReader,
} from '../../../src/domain/transparency/merkle.js';
import { parseTilePath, tilePath } from '../../../src/domain/transparency/tiles.js';
import {
  checkpointBody,
  generateNoteKey,
  openCheckpoint,
  parseVerifierKey,
  signNote,
  verifierKey,
} from '../../../src/domain/transparency/note.js';
import * as rfc from '../../support/rfc6962.js';

const entries = Array.from({ length: 70 }, (_, i) => Buffer.from(`{"seq":${i}}`));
const hashes = entries.map(rfc.leaf);

/** The stored nodes of a tree grown one leaf at a time, as the appender grows it. */
function grownStore(size: number): NodeReader {
  const nodes = new Map<string, Buffer>();
  for (let n = 0; n < size; n++) {
    nodes.set(`0/${n}`, leafHash(entries[n]!));
    for (const { level, index } of newNodes(n, n + 1)) {
      nodes.set(
        `${level}/${index}`,
        nodeHash(nodes.get(`${level - 1}/${2 * index}`)!, nodes.get(`${level - 1}/${2 * index + 1}`)!),
      );
    }
  }
  return (level, index) => {
    const hash = nodes.get(`${level}/${index}`);
    if (!hash) throw new Error(`node ${level}/${index} was never stored`);
    return hash;
  };
}

describe('the transparency log Merkle tree', () => {
  const read = grownStore(70);

  it('computes the same roots as an independent RFC 6962 implementation, for every size', () => {
    for (let n = 0; n <= 70; n++)
      expect(treeRoot(read, n).toString('hex'), `size ${n}`).toBe(rfc.mth(hashes.slice(0, n)).toString('hex'));
  });

  it('gives the RFC 6962 inclusion proof of every leaf in every tree, and verifies it', () => {
    for (let n = 1; n <= 70; n++) {
      const root = rfc.mth(hashes.slice(0, n));
      for (let m = 0; m < n; m++) {
        const proof = inclusionProof(read, m, n);
        expect(proof.map((h) => h.toString('hex'))).toEqual(rfc.path(m, hashes.slice(0, n)).map((h) => h.toString('hex')));
        expect(rfc.rootFromPath(m, n, hashes[m]!, proof).equals(root)).toBe(true);
        expect(verifyInclusion(m, n, hashes[m]!, proof, root)).toBe(true);
      }
    }
  });

  it('gives the RFC 6962 consistency proof between every pair of sizes, and verifies it', () => {
    for (let n = 1; n <= 70; n++) {
      for (let m = 0; m <= n; m++) {
        const proof = consistencyProof(read, m, n);
        expect(proof.map((h) => h.toString('hex'))).toEqual(rfc.consistency(m, hashes.slice(0, n)).map((h) => h.toString('hex')));
        const [oldRoot, newRoot] = [rfc.mth(hashes.slice(0, m)), rfc.mth(hashes.slice(0, n))];
        expect(rfc.checkConsistency(m, n, proof, oldRoot, newRoot), `${m}→${n}`).toBe(true);
        expect(verifyConsistency(m, n, proof, oldRoot, newRoot), `${m}→${n}`).toBe(true);
      }
    }
  });

  it('refuses altered, shortened or misplaced proofs', () => {
    const root = rfc.mth(hashes.slice(0, 37));
    const proof = inclusionProof(read, 5, 37);
    const flipped = proof.map((h, i) => (i === 2 ? Buffer.from(h).fill(7, 0, 1) : h));
    expect(verifyInclusion(5, 37, hashes[5]!, flipped, root)).toBe(false);
    expect(verifyInclusion(5, 37, hashes[5]!, proof.slice(1), root)).toBe(false);
    expect(verifyInclusion(6, 37, hashes[5]!, proof, root)).toBe(false);
    expect(verifyInclusion(5, 37, hashes[5]!, [...proof, hashes[0]!], root)).toBe(false);
    const consistency = consistencyProof(read, 13, 37);
    const oldRoot = rfc.mth(hashes.slice(0, 13));
    expect(verifyConsistency(13, 37, consistency.slice(1), oldRoot, root)).toBe(false);
    expect(verifyConsistency(13, 37, consistency, rfc.mth(hashes.slice(0, 12)), root)).toBe(false);
    expect(verifyConsistency(37, 13, consistency, root, oldRoot)).toBe(false);
  });
});

describe('tlog-tiles paths', () => {
  it('spells indexes in groups of three digits and reads back only the canonical spelling', () => {
    expect(tilePath({ level: 0, index: 1234067, width: 256 })).toBe('tile/0/x001/x234/067');
    expect(tilePath({ level: 'entries', index: 5, width: 17 })).toBe('tile/entries/005.p/17');
    expect(parseTilePath('0/x001/x234/067')).toEqual({ level: 0, index: 1234067, width: 256 });
    expect(parseTilePath('2/000.p/255')).toEqual({ level: 2, index: 0, width: 255 });
    for (const bad of ['0/1', '0/x000/001', '0/001.p/256', '0/001.p/0', '64/000', '0/../001', 'entries/001.p/07']) {
      expect(parseTilePath(bad), bad).toBeUndefined();
    }
  });
});

describe('signed-note checkpoints', () => {
  it('signs a checkpoint a plain Ed25519 check accepts, with the key id the signed-note spec defines', () => {
    const key = generateNoteKey('registry.example/tlog');
    const vkey = verifierKey(key.name, key.publicKey);
    const [name, id, raw] = vkey.split(/\+(?=[0-9a-f]{8}\+)|(?<=\+[0-9a-f]{8})\+/);
    expect(name).toBe('registry.example/tlog');
    const publicKey = Buffer.from(raw!, 'base64');
    expect(publicKey[0]).toBe(1);
    const expectedId = createHash('sha256')
      .update(Buffer.concat([Buffer.from(`${name}\n`), publicKey]))
      .digest()
      .subarray(0, 4);
    expect(id).toBe(expectedId.toString('hex'));
    const text = checkpointBody({ origin: key.name, size: 3, root: hashes[0]! });
    const note = signNote(text, key);
    const [body, sigLine] = note.split('\n\n');
    expect(`${body}\n`).toBe(text);
    const sig = Buffer.from(sigLine!.trim().split(' ')[2]!, 'base64');
    expect(sig.subarray(0, 4).equals(expectedId)).toBe(true);
    const jwk = { kty: 'OKP', crv: 'Ed25519', x: publicKey.subarray(1).toString('base64url') };
    expect(verify(null, Buffer.from(text), createPublicKey({ key: jwk, format: 'jwk' }), sig.subarray(4))).toBe(true);
    expect(openCheckpoint(note, parseVerifierKey(vkey)).checkpoint.size).toBe(3);
    const other = generateNoteKey('registry.example/tlog');
    expect(() => openCheckpoint(note, parseVerifierKey(verifierKey(other.name, other.publicKey)))).toThrow(/not signed/);
    expect(() => openCheckpoint(note.replace('\n3\n', '\n4\n'), parseVerifierKey(vkey))).toThrow(/not signed/);
  });
});
