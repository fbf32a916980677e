import { defineCommand } from './command.js';
import { report } from './report.js';
import { ClientError } from './errors.js';

export const command = defineCommand({
  usage: `Usage: gatehouse report NAME[@VERSION] --reason malicious|typosquatting|spam|vulnerable --description TEXT
                        [--registry URL] [--token TOKEN]`,
  flags: {
    reason: { type: 'string' },
    description: { type: 'string' },
    registry: { type: 'string' },
    token: { type: 'string' },
  },
  async run(values, [spec]) {
    if (!spec) throw new ClientError('Name the package: gatehouse report NAME[@VERSION] --reason … --description …');
    await report(spec, values);
    return 0;
  },
});
