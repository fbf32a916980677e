// The facts a read decision needs about a package, from current rows: its visibility and, only
// when it is restricted, who may read it (maintainers and granted teams' members). Public
// packages cost nothing extra; a restricted one costs two indexed queries per cache rebuild.
import type { Repositories } from '../store.js';
import type { ReadFacts } from '../packages/authorize.js';
import type { Visibility } from '../packages/store.js';

export async function readFacts(repos: Repositories, name: string, visibility: Visibility): Promise<ReadFacts> {
  if (visibility === 'public') return { visibility, name };
  const [owners, grantees] = await Promise.all([repos.packages.owners(name), repos.orgs.grantees(name)]);
  return { visibility, name, readers: new Set([...owners.map((o) => o.id), ...grantees.map((g) => g.user.id)]) };
}
