// Without a lockfile: not yet available in this build.
import { ClientError } from '../errors.js';
import type { InstallSettings } from './settings.js';

export async function writeLockfile(opts: {
  dir: string;
  registry: string;
  settings: InstallSettings;
  cache: string | undefined;
}): Promise<void> {
  throw new ClientError(`${opts.dir} has no package-lock.json: create one with \`npm install --package-lock-only\` first`);
}
