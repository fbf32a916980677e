// Saves a registry token where npm reads it: the user's npmrc ($NPM_CONFIG_USERCONFIG, else
// ~/.npmrc), under npm's "nerf dart" key `//host[:port]/path/:_authToken` for that registry, and
// for --scope a `@scope:registry=` line. Every other line is kept as it was; the file is replaced
// whole (written beside it, then renamed) with mode 0600, since it now holds a secret.
import { chmodSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ClientError } from '../errors.js';
import { userRcFile } from '../npmrc.js';

export function userNpmrcPath(env: NodeJS.ProcessEnv = process.env): string {
  return userRcFile(env);
}

/** npm's nerf-dart: the registry URL without its protocol, credentials, query or fragment, ending in `/`. */
export function nerfDart(registry: string): string {
  const url = new URL(registry);
  const path = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
  return `//${url.host}${path}`;
}

/** `settings` are `key=value` lines to set: an existing line with the key is replaced in place, a new one appended. */
export function setNpmrcLines(text: string, settings: Record<string, string>): string {
  const pending = new Map(Object.entries(settings));
  const lines = text === '' ? [] : text.replace(/\r?\n$/, '').split(/\r?\n/);
  const out = lines.map((line) => {
    const eq = line.indexOf('=');
    const key = eq < 0 ? undefined : line.slice(0, eq).trim();
    if (key === undefined || !pending.has(key)) return line;
    const value = pending.get(key)!;
    pending.delete(key);
    return `${key}=${value}`;
  });
  for (const [key, value] of pending) out.push(`${key}=${value}`);
  return `${out.join('\n')}\n`;
}

export function saveToken(opts: { registry: string; token: string; scope?: string; file?: string }): string {
  const file = opts.file ?? userNpmrcPath();
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new ClientError(`Cannot read ${file}: ${(err as Error).message}`);
  }
  const settings: Record<string, string> = { [`${nerfDart(opts.registry)}:_authToken`]: opts.token };
  if (opts.scope) settings[`${opts.scope}:registry`] = opts.registry;
  const temp = join(dirname(file), `.npmrc.${process.pid}.tmp`);
  try {
    writeFileSync(temp, setNpmrcLines(text, settings), { mode: 0o600 });
    chmodSync(temp, 0o600); // the umask may have narrowed it; never widened
    renameSync(temp, file);
  } catch (err) {
    throw new ClientError(`Cannot write ${file}: ${(err as Error).message}`);
  }
  return file;
}
