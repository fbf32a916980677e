// A client command: its usage lines, its own flags and what it runs. The `gatehouse` command line
// (src/cli/commands.ts) looks a client command up in CLIENT_COMMANDS and imports only that command's
// module, so `gatehouse install` loads neither the server framework nor a database driver.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ClientError } from './errors.js';

type Flags = NonNullable<ParseArgsConfig['options']>;
export type FlagValues<F extends Flags> = ReturnType<typeof parseArgs<{ options: F; allowPositionals: true }>>['values'];

export interface ClientCommand {
  usage: string;
  /** Parses its own arguments (everything after the command's name); resolves to the exit code. */
  main(argv: string[]): Promise<number>;
}

const HELP = { help: { type: 'boolean', short: 'h' } } as const;

/** The usage is printed for --help and after a flag the command does not know. */
export function defineCommand<const F extends Flags>(spec: {
  usage: string;
  flags: F;
  /** Resolves to the exit code (undefined: 0). */
  run(values: FlagValues<F>, positionals: string[]): Promise<number | undefined>;
}): ClientCommand {
  return {
    usage: spec.usage,
    async main(argv) {
      let parsed;
      try {
        parsed = parseArgs({ args: argv, options: { ...spec.flags, ...HELP }, allowPositionals: true, strict: true });
      } catch (err) {
        throw new ClientError(`${(err as Error).message}\n${spec.usage}`);
      }
      if ((parsed.values as { help?: boolean }).help) {
        process.stdout.write(`${spec.usage}\n`);
        return 0;
      }
      return (await spec.run(parsed.values as FlagValues<F>, parsed.positionals)) ?? 0;
    },
  };
}

/**
 * Every client command, loaded on demand. Tracks add theirs at the end of the list.
 */
export const CLIENT_COMMANDS: Record<string, () => Promise<ClientCommand>> = {
  report: async () => (await import('./report-command.js')).command,
  verify: async () => (await import('./verify-command.js')).command,
  install: async () => (await import('./install/command.js')).command,
  audit: async () => (await import('./audit/command.js')).command,
  sbom: async () => (await import('./sbom/command.js')).command,
  login: async () => (await import('./login/command.js')).command,
  fix: async () => (await import('./fix/command.js')).command,
};
