// Signed notes (C2SP signed-note), checkpoints (C2SP tlog-checkpoint) and witness cosignatures
// (C2SP tlog-cosignature), with Ed25519 through node:crypto. Imports nothing from storage or
// http; a private key is only handed to node:crypto, never printed. Every parser here reads text
// from the network: attacker-controlled, so each one refuses what it does not fully understand.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';

/** signed-note: a signature type byte follows the key name in the key id and starts a vkey's key. */
const ED25519 = 0x01;
const COSIGNATURE_V1 = 0x04;
const DASH = '\u2014';

export interface Checkpoint {
  origin: string;
  size: number;
  root: Buffer;
}

export interface NoteKey {
  name: string;
  /** Base64 DER PKCS#8. */
  privateKey: string;
  /** The raw 32-byte Ed25519 public key, base64. */
  publicKey: string;
}

/** A verifier: the key name, its 4-byte id and the raw public key. */
export interface Verifier {
  name: string;
  keyId: Buffer;
  publicKey: Buffer;
  /** ED25519 (0x01) for a log, COSIGNATURE_V1 (0x04) for a witness. */
  type: number;
}

export interface NoteSignature {
  name: string;
  keyId: Buffer;
  /** The bytes after the key id (a cosignature's timestamp and signature). */
  body: Buffer;
  line: string;
}

export function generateNoteKey(name: string): NoteKey {
  if (!validKeyName(name)) throw new TypeError('a key name is non-empty and has no spaces, + or newlines');
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    name,
    privateKey: privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64'),
    publicKey: rawPublicKey(publicKey).toString('base64'),
  };
}

function validKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+]/.test(name) && !/\p{Cc}/u.test(name);
}

function rawPublicKey(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' });
  return Buffer.from(jwk.x!, 'base64url');
}

function publicKeyObject(raw: Buffer): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
}

/** signed-note: key id = first 4 bytes of SHA-256(name || 0x0A || type || public key). */
export function keyIdOf(name: string, type: number, publicKey: Buffer): Buffer {
  return createHash('sha256')
    .update(name)
    .update(Buffer.from([0x0a, type]))
    .update(publicKey)
    .digest()
    .subarray(0, 4);
}

/** The vkey format: `<name>+<hex key id>+<base64(type || public key)>`. */
export function verifierKey(name: string, publicKeyBase64: string, type = ED25519): string {
  const publicKey = Buffer.from(publicKeyBase64, 'base64');
  const id = keyIdOf(name, type, publicKey).toString('hex');
  return `${name}+${id}+${Buffer.concat([Buffer.from([type]), publicKey]).toString('base64')}`;
}

export function parseVerifierKey(vkey: string): Verifier {
  const parts = vkey.trim().split('+');
  // The name may not hold '+', so exactly three parts; the base64 alphabet's '+' is why we join the tail.
  if (parts.length < 3) throw new TypeError('a verifier key is <name>+<hex key id>+<base64 key>');
  const [name, hexId, ...rest] = parts as [string, string, ...string[]];
  const key = Buffer.from(rest.join('+'), 'base64');
  if (!validKeyName(name) || !/^[0-9a-f]{8}$/.test(hexId))
    throw new TypeError('a verifier key is <name>+<hex key id>+<base64 key>');
  const type = key[0];
  if ((type !== ED25519 && type !== COSIGNATURE_V1) || key.length !== 33)
    throw new TypeError('only Ed25519 verifier keys are supported');
  const publicKey = key.subarray(1);
  const keyId = keyIdOf(name, type, publicKey);
  if (keyId.toString('hex') !== hexId) throw new TypeError('the verifier key id does not match its key');
  return { name, keyId, publicKey, type };
}

// ----- checkpoints -----

export function checkpointBody(checkpoint: Checkpoint): string {
  return `${checkpoint.origin}\n${checkpoint.size}\n${checkpoint.root.toString('base64')}\n`;
}

/** tlog-checkpoint: origin, decimal size, base64 root; extension lines after them are allowed and ignored. */
export function parseCheckpointBody(text: string): Checkpoint {
  const lines = text.split('\n');
  if (lines.length < 4 || lines[lines.length - 1] !== '')
    throw new TypeError('a checkpoint has an origin, a size and a root hash');
  const [origin, size, root] = lines as [string, string, string];
  if (origin === '' || !/^(0|[1-9][0-9]{0,15})$/.test(size) || !Number.isSafeInteger(Number(size))) {
    throw new TypeError('a checkpoint names its origin and a decimal tree size');
  }
  const hash = Buffer.from(root, 'base64');
  if (hash.length !== 32 || hash.toString('base64') !== root) throw new TypeError('a checkpoint root is a base64 SHA-256 hash');
  return { origin, size: Number(size), root: hash };
}

// ----- signed notes -----

/** The note text signed by `key`: the text, a blank line, one signature line. */
export function signNote(text: string, key: NoteKey): string {
  return `${text}\n${signatureLine(text, key)}\n`;
}

export function signatureLine(text: string, key: NoteKey): string {
  const privateKey = createPrivateKey({ key: Buffer.from(key.privateKey, 'base64'), format: 'der', type: 'pkcs8' });
  const sig = sign(null, Buffer.from(text, 'utf8'), privateKey);
  const keyId = keyIdOf(key.name, ED25519, Buffer.from(key.publicKey, 'base64'));
  return `${DASH} ${key.name} ${Buffer.concat([keyId, sig]).toString('base64')}`;
}

/** Splits a signed note into its text and its signature lines; refuses anything malformed. */
export function parseNote(note: string): { text: string; signatures: NoteSignature[] } {
  const cut = note.lastIndexOf('\n\n');
  if (cut < 0 || !note.endsWith('\n')) throw new TypeError('a signed note is text, a blank line and signature lines');
  const text = note.slice(0, cut + 1);
  const signatures = note
    .slice(cut + 2, -1)
    .split('\n')
    .map((line) => {
      const match = /^\u2014 (\S+) ([A-Za-z0-9+/]+={0,2})$/.exec(line);
      const raw = match ? Buffer.from(match[2]!, 'base64') : Buffer.alloc(0);
      if (!match || raw.length < 5) throw new TypeError('a signature line is "— <name> <base64 signature>"');
      return { name: match[1]!, keyId: raw.subarray(0, 4), body: raw.subarray(4), line };
    });
  return { text, signatures };
}

/** True when `note` carries a valid signature by the log key `verifier`. */
export function hasValidSignature(text: string, signatures: readonly NoteSignature[], verifier: Verifier): boolean {
  return signatures.some(
    (s) =>
      s.name === verifier.name &&
      s.keyId.equals(verifier.keyId) &&
      s.body.length === 64 &&
      verify(null, Buffer.from(text, 'utf8'), publicKeyObject(verifier.publicKey), s.body),
  );
}

/** Parses a checkpoint note and checks the log's signature; throws a TypeError saying what is wrong. */
export function openCheckpoint(
  note: string,
  log: Verifier,
): { checkpoint: Checkpoint; text: string; signatures: NoteSignature[] } {
  const { text, signatures } = parseNote(note);
  if (!hasValidSignature(text, signatures, log)) throw new TypeError(`the checkpoint is not signed by ${log.name}`);
  const checkpoint = parseCheckpointBody(text);
  if (checkpoint.origin !== log.name) throw new TypeError(`the checkpoint's origin is not ${log.name}`);
  return { checkpoint, text, signatures };
}

// ----- cosignatures (tlog-cosignature) -----

function cosignedMessage(text: string, time: number): Buffer {
  return Buffer.from(`cosignature/v1\ntime ${time}\n${text}`, 'utf8');
}

/** A witness's cosignature line over checkpoint text `text` at `time` (Unix seconds). */
export function cosignatureLine(text: string, key: NoteKey, time: number): string {
  const privateKey = createPrivateKey({ key: Buffer.from(key.privateKey, 'base64'), format: 'der', type: 'pkcs8' });
  const sig = sign(null, cosignedMessage(text, time), privateKey);
  const keyId = keyIdOf(key.name, COSIGNATURE_V1, Buffer.from(key.publicKey, 'base64'));
  const stamp = Buffer.alloc(8);
  stamp.writeBigUInt64BE(BigInt(time));
  return `${DASH} ${key.name} ${Buffer.concat([keyId, stamp, sig]).toString('base64')}`;
}

/** The time of a valid cosignature by `witness` among `signatures`, or undefined. */
export function cosignatureTime(text: string, signatures: readonly NoteSignature[], witness: Verifier): number | undefined {
  for (const s of signatures) {
    if (s.name !== witness.name || !s.keyId.equals(witness.keyId) || s.body.length !== 72) continue;
    const time = Number(s.body.readBigUInt64BE(0));
    if (verify(null, cosignedMessage(text, time), publicKeyObject(witness.publicKey), s.body.subarray(8))) return time;
  }
  return undefined;
}

export const SIGNATURE_TYPES = { ed25519: ED25519, cosignatureV1: COSIGNATURE_V1 } as const;
