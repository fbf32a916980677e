// The install settings npm reads from .npmrc, read the way npm's config does for the project's file
// and then the user's (the project wins): `min-release-age` (days, a number; npm 11.10+),
// `min-release-age-exclude` (names or globs, as `key[]=value` lines or a comma list) and
// `allow-scripts` (the .npmrc form of the allowScripts policy, npm 11.19+/12).
import { join } from 'node:path';
import { ClientError } from '../errors.js';
import { rcEntries, userRcFile } from '../npmrc.js';

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

/** One .npmrc's settings; `key[]=value` lines collect into one list, as npm's ini reading does. */
function readRc(file: string, env: NodeJS.ProcessEnv): Map<string, RcValue> {
  const rc = new Map<string, RcValue>();
  for (const [name, value] of rcEntries(file, env)) {
    const list = name.endsWith('[]');
    const key = list ? name.slice(0, -2) : name;
    const entry = rc.get(key);
    if (list && entry) entry.values.push(value);
    else rc.set(key, { file, values: [value] });
  }
  return rc;
}

export function readInstallSettings(dir: string, env: NodeJS.ProcessEnv = process.env): InstallSettings {
  const rcs = [readRc(join(dir, '.npmrc'), env), readRc(userRcFile(env), env)];
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
