// The new tree is built in staging folders beside the node_modules folders it replaces (same
// parent, so relative links inside it stay right after a rename) and swapped in with renames.
// Until `commit`, `rollback` puts every previous folder back and removes what was built: an
// error, a refused tarball, a failing install script or Ctrl-C leaves the old tree as it was.
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

const TAG = '.gatehouse-';

export class Staging {
  /** node_modules folder (relative to the project) → its staging folder. */
  private readonly stagings = new Map<string, string>();
  private readonly backups = new Map<string, string>();
  private readonly swapped: string[] = [];
  private readonly id = `${process.pid}-${randomBytes(3).toString('hex')}`;

  constructor(readonly projectDir: string) {}

  /** The node_modules folder an install path belongs to: `a/node_modules/b` → `a/node_modules`... up to the first one. */
  static rootOf(path: string): string {
    const i = path.indexOf('node_modules/');
    return path.slice(0, i) + 'node_modules';
  }

  async prepare(roots: Iterable<string>): Promise<void> {
    for (const root of new Set(roots)) {
      if (this.stagings.has(root)) continue;
      const final = join(this.projectDir, root);
      await removeStale(dirname(final));
      const staging = join(dirname(final), `${TAG}staging-${basename(final)}-${this.id}`);
      this.stagings.set(root, staging);
      await mkdir(staging, { recursive: true });
    }
  }

  /** Where an install path is while the tree is being built. */
  where(path: string): string {
    const root = Staging.rootOf(path);
    const staging = this.stagings.get(root);
    if (staging === undefined) throw new Error(`no staging folder for ${path}`);
    return join(staging, path.slice(root.length));
  }

  /** Where the install path will be. */
  final(path: string): string {
    return join(this.projectDir, path);
  }

  async swap(): Promise<void> {
    for (const [root, staging] of this.stagings) {
      const final = join(this.projectDir, root);
      if (await exists(final)) {
        const backup = join(dirname(final), `${TAG}previous-${basename(final)}-${this.id}`);
        await rename(final, backup);
        this.backups.set(root, backup);
      }
      await rename(staging, final);
      this.swapped.push(root);
    }
  }

  /** The swap stands: the previous folders go. */
  async commit(): Promise<void> {
    for (const backup of this.backups.values()) await rm(backup, { recursive: true, force: true });
    this.backups.clear();
    this.stagings.clear();
    this.swapped.length = 0;
  }

  async rollback(): Promise<void> {
    for (const root of this.swapped.reverse()) {
      const final = join(this.projectDir, root);
      await rm(final, { recursive: true, force: true });
      const backup = this.backups.get(root);
      if (backup !== undefined) await rename(backup, final);
      this.backups.delete(root);
    }
    this.swapped.length = 0;
    for (const staging of this.stagings.values()) await rm(staging, { recursive: true, force: true });
    this.stagings.clear();
  }
}

async function exists(path: string): Promise<boolean> {
  return (await lstat(path).catch(() => undefined)) !== undefined;
}

/**
 * What a run killed outright (SIGKILL, power loss) left: its staging folders go, and a previous
 * folder it had moved aside but not yet replaced goes back to its name.
 */
async function removeStale(parent: string): Promise<void> {
  const names = await readdir(parent).catch(() => [] as string[]);
  for (const name of names) {
    const match = /^\.gatehouse-(staging|previous)-(.+)-(\d+)-[0-9a-f]+$/.exec(name);
    if (!match || alive(Number(match[3]))) continue;
    const original = join(parent, match[2] as string);
    if (match[1] === 'previous' && !(await exists(original))) await rename(join(parent, name), original);
    else await rm(join(parent, name), { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
