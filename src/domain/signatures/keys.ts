// The registry's signing crypto, as `npm audit signatures` checks it (npm/lib/utils/verify-signatures.js):
// ECDSA P-256 with SHA-256 over `${name}@${version}:${integrity}`, the signature base64 DER, the key
// id `SHA256:` + base64 SHA-256 of the DER SubjectPublicKeyInfo. Imports nothing from storage or
// http; a private key is only ever handed to node:crypto, never printed.
import { createHash, createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';

export interface RegistrySignature {
  keyid: string;
  sig: string;
}

export interface SigningKeyPair {
  keyid: string;
  /** Base64 DER SubjectPublicKeyInfo. */
  publicKey: string;
  /** Base64 DER PKCS#8. */
  privateKey: string;
}

export function generateSigningKey(): SigningKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  return {
    keyid: keyIdOf(spki),
    publicKey: spki.toString('base64'),
    privateKey: privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64'),
  };
}

export function keyIdOf(spki: Buffer): string {
  return `SHA256:${createHash('sha256').update(spki).digest('base64')}`;
}

/** The signed message: exactly what npm rebuilds from the packument. */
export function signedMessage(name: string, version: string, integrity: string): string {
  return `${name}@${version}:${integrity}`;
}

export function signVersion(key: SigningKeyPair, name: string, version: string, integrity: string): RegistrySignature {
  return signBytes(key, Buffer.from(signedMessage(name, version, integrity)));
}

/** ECDSA P-256 / SHA-256 over `data`, base64 DER: a version's message, or a DSSE envelope's PAE. */
export function signBytes(key: SigningKeyPair, data: Buffer): RegistrySignature {
  const privateKey = createPrivateKey({ key: Buffer.from(key.privateKey, 'base64'), format: 'der', type: 'pkcs8' });
  return { keyid: key.keyid, sig: sign('sha256', data, privateKey).toString('base64') };
}

/** The public key as PEM, the form a transparency log's verifier field and npm's keySelector take. */
export function publicKeyPem(key: Pick<SigningKeyPair, 'publicKey'>): string {
  const lines = key.publicKey.match(/.{1,64}/g) ?? [];
  return `-----BEGIN PUBLIC KEY-----\n${lines.join('\n')}\n-----END PUBLIC KEY-----\n`;
}
