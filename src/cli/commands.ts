// The `gatehouse` command (main.ts loads it). Each subcommand lives in its own file; this one only parses flags.
import { parseArgs } from 'node:util';
import { ConfigError, type Config } from '../config.js';
import { isGatehouseError } from '../domain/errors.js';
import { serve } from './serve.js';
import { readStdin, userCreate } from './user-create.js';
import { runImport } from './import.js';
import { userRecover } from './user-recover.js';
import { keysRotate } from './keys-rotate.js';
import { report } from './report.js';
import { verifyLockfile } from './verify.js';
import { namesCommand } from './names.js';
import { scanKnownBadImport } from './scan-known-bad.js';
import { advisoriesImport, nothingRead } from './advisories-import.js';

const USAGE = `Usage:
  gatehouse serve [--host H] [--port P] [--data-dir D] [--config FILE]
  gatehouse user create NAME --email EMAIL --password-stdin [--admin] [--data-dir D] [--config FILE]
  gatehouse user recover NAME --email NEW --checks "id-document,signed-commit" [--reset-mfa]
                         [--data-dir D] [--config FILE]
  gatehouse import (--from URL | --from-dir DIR) --owner USER [NAME...] [--names-file FILE] [--token-stdin]
                   [--data-dir D] [--config FILE]
  gatehouse keys rotate [--data-dir D] [--config FILE]
  gatehouse report NAME[@VERSION] --reason malicious|typosquatting|spam|vulnerable --description TEXT
                   [--registry URL] [--token TOKEN]
  gatehouse verify [--lockfile package-lock.json] [--registry URL] [--log-key VKEY] [--state FILE]
                   [--witness VKEY]...
  gatehouse names allow NAME [--user USER] [--note TEXT] | names disallow NAME | names list | names check NAME
                   [--data-dir D] [--config FILE]
  gatehouse scan known-bad import FILE [--data-dir D] [--config FILE]
  gatehouse advisories import FILE|DIR|ZIP... [--data-dir D] [--config FILE]

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
  reason: { type: 'string' },
  description: { type: 'string' },
  registry: { type: 'string' },
  token: { type: 'string' },
  lockfile: { type: 'string' },
  'log-key': { type: 'string' },
  state: { type: 'string' },
  witness: { type: 'string', multiple: true },
  user: { type: 'string' },
  note: { type: 'string' },
} as const;

async function main(argv: string[]): Promise<void> {
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
  if (command === 'serve') return serve(overrides, values.config);
  if (command === 'user' && sub === 'create' && name) {
    if (!values.email) throw new ConfigError('--email is required.');
    if (!values['password-stdin']) throw new ConfigError('Pass the password on standard input with --password-stdin.');
    const password = await readStdin();
    return userCreate(name, { email: values.email, password, admin: values.admin ?? false }, overrides, values.config);
  }
  if (command === 'user' && sub === 'recover' && name) {
    if (!values.email) throw new ConfigError('--email NEW is required: the address the recovered owner reads.');
    if (!values.checks) throw new ConfigError('--checks is required: name the identity checks you made.');
    const opts = { email: values.email, checks: values.checks, resetMfa: values['reset-mfa'] ?? false };
    return userRecover(name, opts, overrides, values.config);
  }
  if (command === 'import') {
    if (!values.owner) throw new ConfigError('--owner USER is required: the user who will own imported packages.');
    const token = values['token-stdin'] ? await readStdin() : process.env.GATEHOUSE_IMPORT_TOKEN || undefined;
    const options = { from: values.from, fromDir: values['from-dir'], owner: values.owner, names: positionals.slice(1) };
    const summary = await runImport({ ...options, namesFile: values['names-file'], token }, overrides, values.config);
    if (summary.failed > 0) process.exitCode = 1;
    return;
  }
  if (command === 'keys' && sub === 'rotate') return keysRotate(overrides, values.config);
  if (command === 'report' && sub) return report(sub, values);
  if (command === 'verify') {
    const registry = values.registry ?? process.env.npm_config_registry ?? 'http://127.0.0.1:4873';
    const options = {
      lockfile: values.lockfile ?? 'package-lock.json',
      registry,
      logKey: values['log-key'],
      stateFile: values.state,
      witnesses: values.witness,
    };
    if (!(await verifyLockfile(options).catch(unreachable(registry)))) process.exitCode = 1;
    return;
  }
  if (command === 'names' && (sub === 'list' || ((sub === 'allow' || sub === 'disallow' || sub === 'check') && name)))
    return namesCommand(sub, name, { user: values.user, note: values.note }, overrides, values.config);
  if (command === 'scan' && sub === 'known-bad' && name === 'import' && positionals[3])
    return scanKnownBadImport(positionals[3], overrides, values.config);
  if (command === 'advisories' && sub === 'import') {
    const paths = positionals.slice(2);
    if (paths.length === 0) throw new ConfigError('Name the OSV files, folders or zip archives to import.');
    if (nothingRead(await advisoriesImport(paths, overrides, values.config))) process.exitCode = 1;
    return;
  }
  throw new ConfigError(`Unknown command.\n${USAGE}`);
}

/** A registry that cannot be reached is a clear one-line failure, not a stack trace. */
function unreachable(registry: string) {
  return (err: unknown): never => {
    if (err instanceof TypeError && err.message === 'fetch failed') throw new ConfigError(`Cannot reach ${registry}.`);
    throw err;
  };
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (
    err instanceof ConfigError ||
    isGatehouseError(err) ||
    (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
  ) {
    process.stderr.write(`gatehouse: ${(err as Error).message}\n`);
  } else {
    process.stderr.write(`gatehouse: ${(err as Error).stack ?? String(err)}\n`);
  }
  process.exit(1);
});
