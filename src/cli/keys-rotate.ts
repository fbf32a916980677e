// `gatehouse keys rotate`: a new registry signing key signs every version published from now on;
// the old key stays listed at /-/npm/v1/keys with an expiry, so the signatures it made still
// verify (docs/signatures.md). Prints key ids only, never a private key.
import type { Config } from '../config.js';
import { withRegistry } from './with-registry.js';

export async function keysRotate(overrides: Partial<Config>, configFile: string | undefined): Promise<void> {
  await withRegistry(overrides, configFile, async (registry) => {
    const { keyid, retired, expires } = await registry.signer.rotate();
    const lines = [
      `New signing key ${keyid}`,
      ...retired.map((old) => `Retired ${old}: covers versions published before ${expires}`),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  });
}
