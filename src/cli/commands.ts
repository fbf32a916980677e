// The `gatehouse` command (main.ts loads it). Each subcommand lives in its own file, imported only
// when it runs: a client command (src/client/) parses its own flags and never loads the server's
// modules; the operator's commands below share one set of flags.
import { parseArgs } from 'node:util';
import { ConfigError, type Config } from '../config.js';
import { isGatehouseError } from '../domain/errors.js';
import { CLIENT_COMMANDS } from '../client/command.js';
import { ClientError } from '../client/errors.js';

const USAGE = `Usage:
  gatehouse serve [--host H] [--port P] [--data-dir D] [--config FILE]
  gatehouse user create NAME --email EMAIL --password-stdin [--admin] [--data-dir D] [--config FILE]
  gatehouse user recover NAME --email NEW --checks "id-document,signed-commit" [--reset-mfa]
                         [--data-dir D] [--config FILE]
  gatehouse import (--from URL | --from-dir DIR) --owner USER [NAME...] [--names-file FILE] [--token-stdin]
                   [--data-dir D] [--config FILE]
  gatehouse keys rotate [--data-dir D] [--config FILE]
  gatehouse names allow NAME [--user USER] [--note TEXT] | names disallow NAME | names list | names check NAME
                   [--data-dir D] [--config FILE]
  gatehouse scan known-bad import FILE [--data-dir D] [--config FILE]
  gatehouse advisories import FILE|DIR|ZIP... [--data-dir D] [--config FILE]

Client commands (each has --help): ${Object.keys(CLIENT_COMMANDS).join(', ')}.

Settings also come from GATEHOUSE_* environment variables (see README).`;

const FLAGS = {
  host: { type: 'string' },
  port: { type: 'string' },
  'data-dir': { type: 'string' },
  config: { type: 'string' },
  email: { type: 'string' },
  'password-stdin': { type: 'boolean' },
  admin: { type: 'boolean' },
  from: { type: 'string' },
  'from-dir': { type: 'string' },
  owner: { type: 'string' },
  'names-file': { type: 'string' },
  'token-stdin': { type: 'boolean' },
  checks: { type: 'string' },
  'reset-mfa': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  user: { type: 'string' },
  note: { type: 'string' },
} as const;

async function main(argv: string[]): Promise<void> {
  const client = argv[0] === undefined ? undefined : CLIENT_COMMANDS[argv[0]];
  if (client) {
    process.exitCode = await (await client()).main(argv.slice(1));
    return;
  }
  const { values, positionals } = parseArgs({ args: argv, options: FLAGS, allowPositionals: true });
  const overrides: Partial<Config> = {
    host: values.host,
    port: values.port === undefined ? undefined : Number(values.port),
    dataDir: values['data-dir'],
  };
  const [command, sub, name] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (command === 'serve') return (await import('./serve.js')).serve(overrides, values.config);
  if (command === 'user' && sub === 'create' && name) {
    if (!values.email) throw new ConfigError('--email is required.');
    if (!values['password-stdin']) throw new ConfigError('Pass the password on standard input with --password-stdin.');
    const { readStdin, userCreate } = await import('./user-create.js');
    const password = await readStdin();
    return userCreate(name, { email: values.email, password, admin: values.admin ?? false }, overrides, values.config);
  }
  if (command === 'user' && sub === 'recover' && name) {
    if (!values.email) throw new ConfigError('--email NEW is required: the address the recovered owner reads.');
    if (!values.checks) throw new ConfigError('--checks is required: name the identity checks you made.');
    const opts = { email: values.email, checks: values.checks, resetMfa: values['reset-mfa'] ?? false };
    return (await import('./user-recover.js')).userRecover(name, opts, overrides, values.config);
  }
  if (command === 'import') {
    if (!values.owner) throw new ConfigError('--owner USER is required: the user who will own imported packages.');
    const { readStdin } = await import('./user-create.js');
    const { runImport } = await import('./import.js');
    const token = values['token-stdin'] ? await readStdin() : process.env.GATEHOUSE_IMPORT_TOKEN || undefined;
    const options = { from: values.from, fromDir: values['from-dir'], owner: values.owner, names: positionals.slice(1) };
    const summary = await runImport({ ...options, namesFile: values['names-file'], token }, overrides, values.config);
    if (summary.failed > 0) process.exitCode = 1;
    return;
  }
  if (command === 'keys' && sub === 'rotate') return (await import('./keys-rotate.js')).keysRotate(overrides, values.config);
  if (command === 'names' && (sub === 'list' || ((sub === 'allow' || sub === 'disallow' || sub === 'check') && name)))
    return (await import('./names.js')).namesCommand(
      sub,
      name,
      { user: values.user, note: values.note },
      overrides,
      values.config,
    );
  if (command === 'scan' && sub === 'known-bad' && name === 'import' && positionals[3])
    return (await import('./scan-known-bad.js')).scanKnownBadImport(positionals[3], overrides, values.config);
  if (command === 'advisories' && sub === 'import') {
    const paths = positionals.slice(2);
    if (paths.length === 0) throw new ConfigError('Name the OSV files, folders or zip archives to import.');
    const { advisoriesImport, nothingRead } = await import('./advisories-import.js');
    if (nothingRead(await advisoriesImport(paths, overrides, values.config))) process.exitCode = 1;
    return;
  }
  throw new ConfigError(`Unknown command.\n${USAGE}`);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (
    err instanceof ConfigError ||
    err instanceof ClientError ||
    isGatehouseError(err) ||
    (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
  ) {
    process.stderr.write(`gatehouse: ${(err as Error).message}\n`);
  } else {
    process.stderr.write(`gatehouse: ${(err as Error).stack ?? String(err)}\n`);
  }
  process.exit(1);
});
