// TOTP secrets must be usable to check a code, so they cannot be hashed: they are sealed with
// AES-256-GCM under a registry key before they reach the database, with the user id as associated
// data (a sealed secret copied onto another account does not open). A database dump alone reveals
// no secret; the key lives apart from it (a setting, or a file in the data folder, secret-key.ts).
// Imports nothing from storage or http; never logs a secret or the key.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { TotpSecret } from './totp.js';

export const SECRET_KEY_BYTES = 32;
const IV_BYTES = 12;
const VERSION = 'v1';

export type SecretKey = Buffer & { readonly brand: 'SecretKey' };

export function asSecretKey(bytes: Buffer): SecretKey {
  if (bytes.length !== SECRET_KEY_BYTES) throw new Error(`an MFA secret key has ${SECRET_KEY_BYTES} bytes`);
  return bytes as SecretKey;
}

const aad = (userId: number) => Buffer.from(`gatehouse-totp:${userId}`);

export function sealSecret(key: SecretKey, userId: number, secret: TotpSecret): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(aad(userId));
  const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return [VERSION, iv, cipher.getAuthTag(), sealed]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

/** The secret, or undefined when the sealed form was not made by this key for this user. */
export function openSecret(key: SecretKey, userId: number, sealed: string): TotpSecret | undefined {
  const [version, iv, tag, body, extra] = sealed.split('.');
  if (version !== VERSION || !iv || !tag || body === undefined || extra !== undefined) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url')).setAAD(aad(userId));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8') as TotpSecret;
  } catch {
    return undefined;
  }
}
