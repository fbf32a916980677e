// Where the key that seals TOTP secrets comes from: the mfaSecretKey setting (base64 of 32 bytes;
// required when several instances share a database, since each must open what another sealed),
// or else a key generated once into the data folder, readable by the owner only. Never in the
// database: a dump or backup of it alone must not reveal a secret. Never logs the key.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { asSecretKey, SECRET_KEY_BYTES, type SecretKey } from './secret-box.js';

export const SECRET_KEY_FILE = 'mfa-secret.key';

export function loadSecretKey(setting: string, dataDir: string): SecretKey {
  if (setting !== '') {
    const bytes = Buffer.from(setting, 'base64');
    if (bytes.length !== SECRET_KEY_BYTES) {
      throw new Error(
        `mfaSecretKey (GATEHOUSE_MFA_SECRET_KEY) must be ${SECRET_KEY_BYTES} bytes in base64 (openssl rand -base64 32).`,
      );
    }
    return asSecretKey(bytes);
  }
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, SECRET_KEY_FILE);
  try {
    // 'wx': two instances starting at once on one folder cannot both write a key.
    writeFileSync(file, randomBytes(SECRET_KEY_BYTES).toString('base64'), { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return asSecretKey(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64'));
}
