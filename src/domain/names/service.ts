// The typosquatting defence at the moment a name is first claimed (docs/typosquatting.md): a new
// name that is a protected name, or that imitates a protected or popular one, is refused or held
// for review, unless an administrator claims it, an administrator allowed it, or the claimant
// owns the package it resembles. Never consulted for a package that exists: its owners publish freely.
import { fail } from '../errors.js';
import type { Store } from '../store.js';
import type { Clock } from '../clock.js';
import type { User } from '../accounts/store.js';
import { SYSTEM_ACTOR, userActor, type Actor } from '../access/actor.js';
import { dayOf, lastDays } from '../downloads/days.js';
import type { RequestContext } from '../access/context.js';
import { enforce } from '../access/principal.js';
import { canActAsUser } from '../accounts/authorize.js';
import { tokenAllows } from '../tokens/scopes.js';
import { NameIndex, type SimilarName, type Technique } from './name-index.js';
import { bareOf } from './similarity.js';
import { parsePackageName } from '../packages/names.js';
import type { AllowedName, NameClaim } from './store.js';

export type TyposquatPolicy = 'refuse' | 'hold' | 'off';

/** Who claims a new name: a user, or a trusted publisher with the user its package will belong to. */
export type Claimant = { kind: 'user'; user: User } | { kind: 'trusted-publisher'; ownerId: number | undefined };

export interface NameDefenceOptions {
  store: Store;
  clock: Clock;
  policy: TyposquatPolicy;
  /** The protected-names list, indexed once (index.ts). */
  protectedNames: NameIndex;
  /** This registry's own most downloaded packages count as popular too: how many, re-read how often. */
  popular: { top: number; refreshMs: number };
}

/** An administrator through the API, or the operator at the command line (who has the data folder). */
export type NameAdmin = { kind: 'user'; user: User } | { kind: 'operator' };

export const OPERATOR: NameAdmin = { kind: 'operator' };

/** The administrator behind an API request, or the refusal: a user's token that may write, of an admin account. */
export function nameAdminOf(context: RequestContext, writes: boolean): NameAdmin {
  const principal = enforce(canActAsUser(context.principal, 'manage allowed names'));
  if (!principal.user.isAdmin) fail('Forbidden', 'Only an administrator manages allowed names and name claims.');
  if (writes && !tokenAllows(principal.token, 'manage'))
    fail('TokenReadOnly', 'This token is read-only; use one that can write.');
  return { kind: 'user', user: principal.user };
}

/** Days of downloads that rank this registry's popular names: those the critical list uses too. */
const POPULAR_WINDOW_DAYS = 30;

export class NameDefence {
  private popular: { index: NameIndex; at: number } | undefined;

  constructor(private readonly opts: NameDefenceOptions) {}

  get policy(): TyposquatPolicy {
    return this.opts.policy;
  }

  /** Refuses (or holds) the first claim of `name` when it is protected or imitates a popular name. */
  async checkNewName(name: string, claimant: Claimant): Promise<void> {
    if (this.opts.policy === 'off') return;
    if (claimant.kind === 'user' && claimant.user.isAdmin) return;
    const userId = claimant.kind === 'user' ? claimant.user.id : claimant.ownerId;
    const allowed = await this.opts.store.names.allowed(name);
    if (allowed && (allowed.userId === undefined || allowed.userId === userId)) return;
    if (this.opts.protectedNames.get(name)?.name === name) {
      fail(
        'NameProtected',
        `"${name}" is a protected name here (a popular public package), so only an administrator can create it, ` +
          `or \`gatehouse import\` can bring it over. Publish under a scope of your own (@you/${bareOf(name)}) or ask an administrator.`,
      );
    }
    const hit = await this.similarTo(name);
    if (!hit || (userId !== undefined && (await this.ownsNeighbour(userId, hit.name)))) return;
    if (this.opts.policy === 'hold' && claimant.kind === 'user') return this.hold(name, claimant.user, hit);
    tooSimilar(name, hit);
  }

  /** The most downloaded protected or popular name `name` imitates, if any. */
  async similarTo(name: string): Promise<SimilarName | undefined> {
    const hits = [this.opts.protectedNames.similarTo(name), (await this.popularNames()).similarTo(name)];
    return hits.filter((h) => h !== undefined).sort((a, b) => b.downloads - a.downloads)[0];
  }

  /** What an administrator reads (nameAdminOf checked the asker). */
  allowedNames(): Promise<AllowedName[]> {
    return this.opts.store.names.allowedNames();
  }

  /** An administrator (or the operator at the command line: no admin) allows a name, for anyone or one user. */
  async allow(admin: NameAdmin, rawName: unknown, opts: { user?: unknown; note?: unknown } = {}): Promise<AllowedName> {
    // attacker-controlled through the admin API: parse before anything is written.
    const name: string = parsePackageName(rawName);
    const userName = opts.user ?? undefined;
    if (userName !== undefined && typeof userName !== 'string') fail('BadRequest', '"user" must be a user name.');
    const note = opts.note ?? '';
    if (typeof note !== 'string' || note.length > 500) fail('BadRequest', '"note" must be a string of at most 500 characters.');
    return this.opts.store.transaction(async (tx) => {
      const user = userName === undefined ? undefined : await tx.users.byName(userName);
      if (userName !== undefined && !user) fail('UserNotFound', `There is no user named "${userName}".`);
      const entry: AllowedName = { name, userId: user?.id, note, createdAt: this.at() };
      await tx.names.allow(entry);
      await tx.events.append({
        type: 'name.allowed',
        actor: actorOf(admin),
        packageName: name,
        data: user ? { name, user: user.name, note } : { name, note },
        createdAt: entry.createdAt,
      });
      return entry;
    });
  }

  async disallow(admin: NameAdmin, rawName: unknown): Promise<void> {
    const name: string = parsePackageName(rawName);
    await this.opts.store.transaction(async (tx) => {
      if (!(await tx.names.disallow(name))) fail('NotFound', `"${name}" is not on the allowed list.`);
      await tx.events.append({
        type: 'name.disallowed',
        actor: actorOf(admin),
        packageName: name,
        data: { name },
        createdAt: this.at(),
      });
    });
  }

  pendingClaims(): Promise<NameClaim[]> {
    return this.opts.store.names.claims('pending');
  }

  /** Approves (the claimant may publish the name; nobody else) or rejects a held claim. */
  async decide(admin: NameAdmin, rawName: unknown, userName: unknown, decision: 'approved' | 'rejected'): Promise<NameClaim> {
    const name: string = parsePackageName(rawName);
    if (typeof userName !== 'string' || userName === '') fail('BadRequest', 'Name the claimant: {"user": "<user name>"}.');
    return this.opts.store.transaction(async (tx) => {
      const user = await tx.users.byName(userName);
      const claim = user ? await tx.names.claim(name, user.id) : undefined;
      if (!user || !claim || claim.state !== 'pending')
        fail('NameClaimNotFound', `No pending claim of "${name}" by "${userName}".`);
      const at = this.at();
      await tx.names.decide(name, user.id, decision, at);
      if (decision === 'approved')
        await tx.names.allow({ name, userId: user.id, note: `claim approved (${claim.similarTo})`, createdAt: at });
      await tx.events.append({
        type: 'name.claim_decided',
        actor: actorOf(admin),
        packageName: name,
        data: { user: user.name, decision },
        createdAt: at,
      });
      return { ...claim, state: decision, decidedAt: at };
    });
  }

  private async hold(name: string, user: User, hit: SimilarName): Promise<never> {
    const { store } = this.opts;
    const existing = await store.names.claim(name, user.id);
    if (existing?.state === 'rejected') tooSimilar(name, hit, 'An administrator reviewed your claim of it and rejected it.');
    if (!existing) {
      const at = this.at();
      await store.transaction(async (tx) => {
        if (!(await tx.names.addClaim({ name, userId: user.id, similarTo: hit.name, technique: hit.technique, createdAt: at })))
          return;
        await tx.events.append({
          type: 'name.claim_held',
          actor: userActor(user),
          packageName: name,
          data: { similarTo: hit.name, technique: hit.technique },
          createdAt: at,
        });
      });
    }
    fail(
      'NameHeldForReview',
      `"${name}" looks like "${hit.name}" (${TECHNIQUES[hit.technique]}), so its first publish waits for an administrator's review. ` +
        'Nothing was published; publish again once your claim is approved, or choose another name.',
    );
  }

  /** The same owner (or org) may claim variants of its own names. */
  private async ownsNeighbour(userId: number, neighbour: string): Promise<boolean> {
    const { store } = this.opts;
    if ((await store.packages.owners(neighbour)).some((o) => o.id === userId)) return true;
    const scope = /^@([^/]+)\//.exec(neighbour)?.[1];
    return scope !== undefined && (await store.orgs.role(scope, userId)) !== undefined;
  }

  /** The registry's own most downloaded packages, re-ranked when older than the refresh interval. */
  private async popularNames(): Promise<NameIndex> {
    const now = this.opts.clock.now();
    if (this.popular && now - this.popular.at < this.opts.popular.refreshMs) return this.popular.index;
    const period = lastDays(dayOf(now), POPULAR_WINDOW_DAYS);
    const ranked = this.opts.popular.top > 0 ? await this.opts.store.critical.ranked(period.start, period.end, 1) : [];
    this.popular = { index: new NameIndex(ranked.slice(0, this.opts.popular.top)), at: now };
    return this.popular.index;
  }

  private at(): string {
    return new Date(this.opts.clock.now()).toISOString();
  }
}

/** What each technique means, in the words of the refusal. */
export const TECHNIQUES: Record<Technique, string> = {
  case: 'the same name in other capitals',
  separator: 'the same letters with other separators',
  homoglyph: 'the same name with look-alike Unicode characters',
  confusable: 'the same name with look-alike characters (0/o, 1/l, rn/m)',
  omission: 'a letter left out',
  repetition: 'a letter doubled',
  addition: 'a letter added',
  transposition: 'two letters swapped',
  substitution: 'a letter replaced',
  scope: 'the same name with its scope dropped, changed or flattened',
  affix: 'the name with a word such as -js, node- or -cli added',
  reordering: 'the same words in another order',
  'suspicious-word': 'the name with a word like "official" or "security" added',
};

function tooSimilar(name: string, hit: SimilarName, why = ''): never {
  fail(
    'NameTooSimilar',
    `"${name}" is too similar to the popular package "${hit.name}" (${TECHNIQUES[hit.technique]}), so it is refused to protect ` +
      `its users from typosquatting.${why ? ` ${why}` : ''} Choose another name, or publish under your own scope; if "${name}" ` +
      'is a different project of yours, ask an administrator to allow it (`gatehouse names allow NAME`; see /policies/typosquatting).',
  );
}

function actorOf(admin: NameAdmin): Actor {
  return admin.kind === 'user' ? userActor(admin.user) : SYSTEM_ACTOR;
}
