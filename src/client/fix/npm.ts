// The machine's npm, for the one step `gatehouse fix` leaves to npm's own tree builder: completing
// the lockfile after an entry changed version or package.json a range (the new version's
// dependencies added, the ones it dropped pruned). Arborist as a library would do the same in-process, but its current
// major needs Node 22; the npm that ships with this Node carries a version that runs here, reads the
// user's .npmrc (registry, scoped registries, auth) exactly as their installs do, and adds no
// dependency to Gatehouse.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ClientError } from '../errors.js';

/** npm-cli.js next to this Node (its own install), else `npm` from PATH. */
function npmCommand(): string[] {
  const cli = join(dirname(dirname(process.execPath)), 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
  return existsSync(cli) ? [process.execPath, cli] : ['npm'];
}

export async function runNpm(args: string[], cwd: string): Promise<void> {
  const [file, ...lead] = npmCommand();
  const child = spawn(file as string, [...lead, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', (err) =>
      reject(new ClientError(`Cannot run npm (${(err as NodeJS.ErrnoException).code ?? err.message}): gatehouse fix needs it.`)),
    );
    child.once('close', resolve);
  });
  if (code !== 0)
    throw new ClientError(`npm ${args.join(' ')} failed (exit ${code}):\n${output.trim().split('\n').slice(-15).join('\n')}`);
}
