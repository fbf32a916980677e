// The install settings npm reads from .npmrc, read the way npm's config does for the project's file
// and then the user's (the project wins): `min-release-age` (days, a number; npm 11.10+),
// `min-release-age-exclude` (names or globs, as `key[]=value` lines or a comma list) and
// `allow-scripts` (the .npmrc form of the allowScripts policy, npm 11.19+/12).
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ClientError } from '../errors.js';

export interface InstallSettings {
  minReleaseAgeDays: number | undefined;
  /** The .npmrc that set it, for messages. */
  minReleaseAgeFile: string | undefined;
  minReleaseAgeExclude: string[];
  allowScripts: string[];
}

interface RcValue {
  file: string;
  values: string[];
}

function readRc(file: string, env: NodeJS.ProcessEnv): Map<string, RcValue> {
  const rc = new Map<string, RcValue>();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return rc;
  }
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    let key = line.slice(0, eq).trim();
    let value = line.slice(eq + 1).trim();
    if (/^".*"$/.test(value) || /^'.*'$/.test(value)) value = value.slice(1, -1);
    value = value.replace(/\$\{([^}]+)\}/g, (_m, name: string) => env[name] ?? '');
    const list = key.endsWith('[]');
    if (list) key = key.slice(0, -2);
    const entry = rc.get(key);
    if (list && entry) entry.values.push(value);
    else rc.set(key, { file, values: [value] });
  }
  return rc;
}

export function readInstallSettings(dir: string, env: NodeJS.ProcessEnv = process.env): InstallSettings {
  const user = env.NPM_CONFIG_USERCONFIG || env.npm_config_userconfig || join(env.HOME || homedir(), '.npmrc');
  const rcs = [readRc(join(dir, '.npmrc'), env), readRc(user, env)];
  const first = (key: string) => rcs.map((rc) => rc.get(key)).find((v) => v !== undefined && v.values.some((x) => x !== ''));
  const list = (key: string) => [
    ...new Set(
      (first(key)?.values ?? [])
        .flatMap((v) => v.split(','))
        .map((v) => v.trim())
        .filter(Boolean),
    ),
  ];
  const age = first('min-release-age');
  let days: number | undefined;
  if (age) {
    const text = age.values[age.values.length - 1] as string;
    days = Number(text);
    if (text === 'null') days = undefined;
    else if (!Number.isFinite(days) || days < 0)
      throw new ClientError(`${age.file}: min-release-age must be a number of days, not ${JSON.stringify(text)}`);
  }
  return {
    minReleaseAgeDays: days === 0 ? undefined : days,
    minReleaseAgeFile: age?.file,
    minReleaseAgeExclude: list('min-release-age-exclude'),
    allowScripts: list('allow-scripts'),
  };
}

/** minimatch against the name, for the patterns people write: `*` stays within a segment, `**` does not. */
export function globMatches(pattern: string, name: string): boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*' && pattern[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`).test(name);
}
