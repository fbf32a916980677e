// Bin links as npm's bin-links makes them for a lockfile install: each package's `bin` map (from
// the lockfile, normalised as npm-normalize-package-bin does) is linked into the `.bin` folder of the
// node_modules folder that holds the package, with a relative symlink; the first package in npm's
// order (shallowest, then by path) wins a name; a missing target is skipped; each target is made
// executable and loses a Windows line ending on its #! line.
import { chmod, lstat, mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, posix, relative, resolve } from 'node:path';

export interface BinOwner {
  /** The install path (`node_modules/@s/a`). */
  path: string;
  bin: Record<string, string> | undefined;
}

/** npm-normalize-package-bin for an object map: names are base names, targets stay inside. */
export function normaliseBin(bin: Record<string, string> | undefined): Record<string, string> {
  const clean: Record<string, string> = {};
  for (const [key, value] of Object.entries(bin ?? {})) {
    const name = posix.join('/', posix.basename(key.replace(/\\|:/g, '/'))).slice(1);
    if (typeof value !== 'string' || !name) continue;
    const target = posix.join('/', value.replace(/\\/g, '/')).slice(1);
    if (target) clean[name] = target;
  }
  return clean;
}

function depth(path: string): number {
  return path.split('node_modules/').length - 1;
}

/** The node_modules folder holding an install path (the scope folder skipped). */
export function nodeModulesOf(path: string): string {
  const parent = posix.dirname(path);
  return posix.basename(parent) === 'node_modules' ? parent : posix.dirname(parent);
}

/** `where` maps an install path to where it is on disk now (the staging folder). */
export async function linkBins(owners: BinOwner[], where: (path: string) => string): Promise<number> {
  const sorted = [...owners].sort((a, b) => depth(a.path) - depth(b.path) || a.path.localeCompare(b.path, 'en'));
  const seen = new Set<string>();
  const execMode = 0o777 & ~process.umask();
  let linked = 0;
  for (const owner of sorted) {
    for (const [name, target] of Object.entries(normaliseBin(owner.bin))) {
      const to = where(`${nodeModulesOf(owner.path)}/.bin/${name}`);
      if (seen.has(to)) continue;
      seen.add(to);
      const absFrom = resolve(where(owner.path), target);
      if (!(await lstat(absFrom).catch(() => undefined))) continue;
      await mkdir(dirname(to), { recursive: true });
      await symlink(relative(dirname(to), absFrom), to, 'file');
      linked++;
      const st = await stat(absFrom);
      if ((st.mode & execMode) !== execMode) await chmod(absFrom, execMode);
      const head = await readFile(absFrom);
      if (head[0] === 0x23 && head[1] === 0x21 && /^#![^\n]+\r\n/.test(head.subarray(0, 2048).toString())) {
        await writeFile(absFrom, head.toString('utf8').replace(/^(#![^\n]+)\r\n/, '$1\n'));
      }
    }
  }
  return linked;
}
