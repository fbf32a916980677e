import { defineCommand } from './command.js';
import { verifyLockfile } from './verify.js';
import { ClientError } from './errors.js';

export const command = defineCommand({
  usage: `Usage: gatehouse verify [--lockfile package-lock.json] [--registry URL] [--log-key VKEY] [--state FILE]
                        [--witness VKEY]...`,
  flags: {
    lockfile: { type: 'string' },
    registry: { type: 'string' },
    'log-key': { type: 'string' },
    state: { type: 'string' },
    witness: { type: 'string', multiple: true },
  },
  async run(values) {
    const registry = values.registry ?? process.env.npm_config_registry ?? 'http://127.0.0.1:4873';
    const options = {
      lockfile: values.lockfile ?? 'package-lock.json',
      registry,
      logKey: values['log-key'],
      stateFile: values.state,
      witnesses: values.witness,
    };
    const ok = await verifyLockfile(options).catch((err: unknown) => {
      if (err instanceof TypeError && err.message === 'fetch failed') throw new ClientError(`Cannot reach ${registry}.`);
      throw err;
    });
    return ok ? 0 : 1;
  },
});
