// The registry and token a client command uses, found the way npm finds them: --registry, else
// `registry=` in the project's .npmrc, then the user's (~/.npmrc or $NPM_CONFIG_USERCONFIG), else
// npm's default; the token from `//host[:port]/path/:_authToken=` for that registry (npm's "nerf
// dart" key, tried for the registry's path and each parent), with `${VAR}` taken from the
// environment as npm does. The token is never printed.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const NPM_DEFAULT_REGISTRY = 'https://registry.npmjs.org/';

type Rc = Map<string, string>;

/**
 * The `key=value` lines of one .npmrc, in order, as npm's ini reading gives them: comments and
 * blank lines skipped, quotes stripped, `${VAR}` taken from the environment. A missing file has none.
 */
export function rcEntries(file: string, env: NodeJS.ProcessEnv): [key: string, value: string][] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const entries: [string, string][] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    let value = line.slice(eq + 1).trim();
    if (/^".*"$/.test(value) || /^'.*'$/.test(value)) value = value.slice(1, -1);
    entries.push([line.slice(0, eq).trim(), value.replace(/\$\{([^}]+)\}/g, (_m, name: string) => env[name] ?? '')]);
  }
  return entries;
}

/** The user's .npmrc: $NPM_CONFIG_USERCONFIG, else ~/.npmrc. */
export function userRcFile(env: NodeJS.ProcessEnv): string {
  return env.NPM_CONFIG_USERCONFIG || env.npm_config_userconfig || join(env.HOME || homedir(), '.npmrc');
}

function readRc(file: string, env: NodeJS.ProcessEnv): Rc {
  return new Map(rcEntries(file, env));
}

/** npm's order: the project's file wins over the user's. */
function rcFiles(cwd: string, env: NodeJS.ProcessEnv): Rc[] {
  return [readRc(join(cwd, '.npmrc'), env), readRc(userRcFile(env), env)];
}

function lookup(rcs: Rc[], key: string): string | undefined {
  for (const rc of rcs) {
    const value = rc.get(key);
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
}

export function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

export interface ClientSettings {
  registry: string;
  token: string | undefined;
}

export function clientSettings(
  flags: { registry?: string; token?: string },
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): ClientSettings {
  const rcs = rcFiles(cwd, env);
  const registry = withSlash(flags.registry || env.npm_config_registry || lookup(rcs, 'registry') || NPM_DEFAULT_REGISTRY);
  if (flags.token) return { registry, token: flags.token };
  const url = new URL(registry);
  const segments = url.pathname.split('/').filter(Boolean);
  for (let i = segments.length; i >= 0; i--) {
    const path = segments.slice(0, i).join('/');
    const token = lookup(rcs, `//${url.host}/${path ? `${path}/` : ''}:_authToken`);
    if (token) return { registry, token };
  }
  return { registry, token: undefined };
}
