// A client on a pseudo-terminal, for what npm does only when stdin and stdout are a TTY (its
// prompts, `npm profile enable-2fa`, the browser approval of a write in lib/utils/auth.js):
// `script` (util-linux) gives it a pty; a test awaits each prompt and types answers with Enter.
import { spawn } from 'node:child_process';
import { CLIENTS, type ClientName, type ClientResult, type Workspace } from './clients.js';

/** A conversation with a command on a pty: each prompt awaited, each answer typed with Enter. */
export interface Terminal {
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
  type(line: string): void;
  done: Promise<ClientResult>;
}

export function onTerminal(client: ClientName, args: string[], ws: Workspace): Terminal {
  const [node, cli] = CLIENTS[client].command() as [string, string];
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  // script -e: exit with the command's status; -f: flush every write, so prompts arrive at once.
  const child = spawn('script', ['-qfec', [node, cli, ...args].map(quote).join(' '), '/dev/null'], {
    cwd: ws.dir,
    env: ws.env,
    stdio: 'pipe',
  });
  let output = '';
  let closed = false;
  const listeners = new Set<() => void>();
  const notify = () => listeners.forEach((listener) => listener());
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
    notify();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
    notify();
  });
  const started = Date.now();
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const done = new Promise<ClientResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      closed = true;
      notify();
      resolve({ code: code ?? 128, stdout: output, stderr: '', durationMs: Date.now() - started });
    });
  });
  let seen = 0;
  const waitFor = (pattern: RegExp) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const match = output.slice(seen).match(pattern);
        if (!match && !closed) return;
        listeners.delete(check);
        if (!match) return reject(new Error(`npm ${args.join(' ')} ended before printing ${pattern}:\n${output}`));
        seen += (match.index ?? 0) + match[0].length;
        resolve(match);
      };
      listeners.add(check);
      check();
    });
  return { waitFor, type: (line) => child.stdin.write(`${line}\r`), done };
}
