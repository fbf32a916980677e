// Every authorization decision over every kind of principal, as one table: a row per principal,
// a column per decision (and per package situation it tells apart), each cell the kind it allows
// or the code it refuses with. A new principal kind does not compile until its rows are written
// (PRINCIPALS is a Record over every kind); a new exported decision fails the first test until
// its column is in COLUMNS.
import { describe, expect, it } from 'vitest';
import {
  enforce,
  type Decision,
  type DenialCode,
  type Principal,
  type SessionPrincipal,
  type TokenPrincipal,
  type TrustedPublisherPrincipal,
} from '../../../src/domain/access/principal.js';
import * as packageDecisions from '../../../src/domain/packages/authorize.js';
import * as accountDecisions from '../../../src/domain/accounts/authorize.js';
import type { PackageFacts } from '../../../src/domain/packages/authorize.js';
import type { User } from '../../../src/domain/accounts/store.js';
import type { PackageRecord, Visibility } from '../../../src/domain/packages/store.js';
import { isGatehouseError } from '../../../src/domain/errors.js';
import { ALL_SCOPES, READ_ONLY_SCOPES } from '../../../src/domain/tokens/scopes.js';

const AT = '2030-01-01T00:00:00.000Z';

function user(id: number, name: string, opts: Partial<User> = {}): User {
  return { id, name, email: `${name}@example.com`, emailVerified: true, isAdmin: false, createdAt: AT, ...opts };
}

function viaToken(who: User, readonly = false): TokenPrincipal {
  const token = {
    id: who.id * 10,
    userId: who.id,
    display: 'gth_…abcd',
    scopes: readonly ? READ_ONLY_SCOPES : ALL_SCOPES,
    createdAt: AT,
    expiresAt: null,
    revokedAt: null,
    kind: 'automation' as const,
    name: '',
    packages: null,
    cidrs: null,
    bypass2fa: false,
    lastUsedAt: null,
    lastUsedIp: null,
  };
  return { kind: 'user', user: who, token };
}

const alice = user(1, 'alice');
const uma = user(2, 'uma', { emailVerified: false });
const root = user(3, 'root', { isAdmin: true });
const bob = user(4, 'bob');

const session: SessionPrincipal = { kind: 'session', user: alice, session: { id: 's1', expiresAt: new Date(AT) } };
const publisher: TrustedPublisherPrincipal = {
  kind: 'trusted-publisher',
  issuer: 'https://token.actions.githubusercontent.com',
  subject: 'repo:acme/widget:ref:refs/heads/main',
  packages: ['widget'],
  publisherId: 'config-1',
  actions: ['publish'],
};

/** The rows: every kind, and for users every situation a decision tells apart. */
const PRINCIPALS = {
  anonymous: { anonymous: { kind: 'anonymous' } },
  user: {
    'token user (read-write)': viaToken(alice),
    'token user (read-only)': viaToken(alice, true),
    'unverified user': viaToken(uma),
    admin: viaToken(root),
  },
  session: { 'web session': session },
  'trusted-publisher': { 'trusted publisher': publisher },
} satisfies Record<Principal['kind'], Record<string, Principal>>;

type Row = { [K in keyof typeof PRINCIPALS]: keyof (typeof PRINCIPALS)[K] }[keyof typeof PRINCIPALS];
const ROWS = Object.values(PRINCIPALS).flatMap((rows) => Object.entries(rows)) as [Row, Principal][];

function pkg(name: string, visibility: Visibility = 'public'): PackageRecord {
  return { name, createdAt: AT, modifiedAt: AT, rev: 1, description: '', keywords: '', unpublishedAt: null, visibility };
}

// Alice and Uma own "widget"; Bob owns "gadget" and the scope @bob. The admin owns nothing.
const OWNED: PackageFacts = { name: 'widget', pkg: pkg('widget'), owners: [alice, uma], scopeOwners: [], scope: undefined };
const FOREIGN: PackageFacts = { name: 'gadget', pkg: pkg('gadget'), owners: [bob], scopeOwners: [], scope: undefined };
const NEW: PackageFacts = { name: 'fresh', pkg: undefined, owners: [], scopeOwners: [], scope: undefined };
const SCOPED_FOREIGN: PackageFacts = { name: '@bob/new', pkg: undefined, owners: [], scopeOwners: [bob], scope: '@bob' };

/** A cell: the kind the decision allowed (it must hand back that very principal), or the refusal's code. */
type Outcome = Principal['kind'] | 'user, not held to the unpublish window' | DenialCode;

function outcome(decision: Decision & { admin?: boolean }): Outcome {
  if (!decision.ok) return decision.code;
  return decision.admin ? 'user, not held to the unpublish window' : decision.principal.kind;
}

type Decide = (principal: Principal) => Decision & { admin?: boolean };

/** The columns: each exported decision, once per situation it tells apart. */
const COLUMNS = {
  canRead: {
    'a public package': (p) => packageDecisions.canRead(p, { visibility: 'public' }),
    'a restricted package': (p) => packageDecisions.canRead(p, { visibility: 'restricted' }),
    'a restricted package, one version': (p) => packageDecisions.canRead(p, { visibility: 'restricted' }, '1.0.0'),
  },
  canPublish: {
    'a new package': (p) => packageDecisions.canPublish(p, NEW),
    'a package it owns': (p) => packageDecisions.canPublish(p, OWNED),
    "someone else's package": (p) => packageDecisions.canPublish(p, FOREIGN),
    "a new package in someone else's scope": (p) => packageDecisions.canPublish(p, SCOPED_FOREIGN),
  },
  canManage: {
    'a package it owns': (p) => packageDecisions.canManage(p, { name: 'widget', owners: OWNED.owners }),
    "someone else's package": (p) => packageDecisions.canManage(p, { name: 'gadget', owners: FOREIGN.owners }),
  },
  canUnpublish: {
    'a package it owns': (p) => packageDecisions.canUnpublish(p, { name: 'widget', owners: OWNED.owners }),
    "someone else's package": (p) => packageDecisions.canUnpublish(p, { name: 'gadget', owners: FOREIGN.owners }),
  },
  canActAsUser: {
    'its own account': (p) => accountDecisions.canActAsUser(p, 'see who you are'),
  },
  canApproveWebLogin: {
    "a CLI's web login": (p) => accountDecisions.canApproveWebLogin(p),
  },
  canActSignedIn: {
    'its own audit log': (p) => accountDecisions.canActSignedIn(p, 'read an audit log'),
  },
  canUseWebAccount: {
    'its account page': (p) => accountDecisions.canUseWebAccount(p, 'see your account'),
  },
} satisfies Record<string, Record<string, Decide>>;

type Column = { [D in keyof typeof COLUMNS]: `${D}: ${Extract<keyof (typeof COLUMNS)[D], string>}` }[keyof typeof COLUMNS];

const N = 'PrincipalNotSupported';
const EXPECTED: Record<Row, Record<Column, Outcome>> = {
  anonymous: {
    'canRead: a public package': 'anonymous',
    'canRead: a restricted package': 'PackageNotFound',
    'canRead: a restricted package, one version': 'PackageNotFound',
    'canPublish: a new package': 'Unauthenticated',
    'canPublish: a package it owns': 'Unauthenticated',
    "canPublish: someone else's package": 'Unauthenticated',
    "canPublish: a new package in someone else's scope": 'Unauthenticated',
    'canManage: a package it owns': 'Unauthenticated',
    "canManage: someone else's package": 'Unauthenticated',
    'canUnpublish: a package it owns': 'Unauthenticated',
    "canUnpublish: someone else's package": 'Unauthenticated',
    'canActAsUser: its own account': 'Unauthenticated',
    'canActSignedIn: its own audit log': 'Unauthenticated',
    "canApproveWebLogin: a CLI's web login": 'Unauthenticated',
    'canUseWebAccount: its account page': 'Unauthenticated',
  },
  'token user (read-write)': {
    'canRead: a public package': 'user',
    'canRead: a restricted package': 'PackageNotFound',
    'canRead: a restricted package, one version': 'PackageNotFound',
    'canPublish: a new package': 'user',
    'canPublish: a package it owns': 'user',
    "canPublish: someone else's package": 'NotMaintainer',
    "canPublish: a new package in someone else's scope": 'ScopeNotYours',
    'canManage: a package it owns': 'user',
    "canManage: someone else's package": 'NotMaintainer',
    'canUnpublish: a package it owns': 'user',
    "canUnpublish: someone else's package": 'NotMaintainer',
    'canActAsUser: its own account': 'user',
    'canActSignedIn: its own audit log': 'user',
    // A token cannot approve a web login: any token, even a read-only one, would mint a full one.
    "canApproveWebLogin: a CLI's web login": 'PrincipalNotSupported',
    'canUseWebAccount: its account page': 'PrincipalNotSupported',
  },
  'token user (read-only)': {
    'canRead: a public package': 'user',
    'canRead: a restricted package': 'PackageNotFound',
    'canRead: a restricted package, one version': 'PackageNotFound',
    'canPublish: a new package': 'TokenReadOnly',
    'canPublish: a package it owns': 'TokenReadOnly',
    "canPublish: someone else's package": 'TokenReadOnly',
    "canPublish: a new package in someone else's scope": 'TokenReadOnly',
    'canManage: a package it owns': 'TokenReadOnly',
    "canManage: someone else's package": 'TokenReadOnly',
    'canUnpublish: a package it owns': 'TokenReadOnly',
    "canUnpublish: someone else's package": 'TokenReadOnly',
    'canActAsUser: its own account': 'user',
    'canActSignedIn: its own audit log': 'user',
    "canApproveWebLogin: a CLI's web login": 'PrincipalNotSupported',
    'canUseWebAccount: its account page': 'PrincipalNotSupported',
  },
  'unverified user': {
    'canRead: a public package': 'user',
    'canRead: a restricted package': 'PackageNotFound',
    'canRead: a restricted package, one version': 'PackageNotFound',
    'canPublish: a new package': 'EmailUnverified',
    'canPublish: a package it owns': 'EmailUnverified',
    "canPublish: someone else's package": 'EmailUnverified',
    "canPublish: a new package in someone else's scope": 'EmailUnverified',
    // Managing asks for no verified address (as before this table): owners can still tidy up.
    'canManage: a package it owns': 'user',
    "canManage: someone else's package": 'NotMaintainer',
    'canUnpublish: a package it owns': 'user',
    "canUnpublish: someone else's package": 'NotMaintainer',
    'canActAsUser: its own account': 'user',
    'canActSignedIn: its own audit log': 'user',
    "canApproveWebLogin: a CLI's web login": 'PrincipalNotSupported',
    'canUseWebAccount: its account page': 'PrincipalNotSupported',
  },
  admin: {
    'canRead: a public package': 'user',
    'canRead: a restricted package': 'user',
    'canRead: a restricted package, one version': 'user',
    // An administrator publishes only what they own, like anyone (they may take a legacy name).
    'canPublish: a new package': 'user',
    'canPublish: a package it owns': 'NotMaintainer',
    "canPublish: someone else's package": 'NotMaintainer',
    "canPublish: a new package in someone else's scope": 'ScopeNotYours',
    'canManage: a package it owns': 'user',
    "canManage: someone else's package": 'user',
    'canUnpublish: a package it owns': 'user, not held to the unpublish window',
    "canUnpublish: someone else's package": 'user, not held to the unpublish window',
    'canActAsUser: its own account': 'user',
    'canActSignedIn: its own audit log': 'user',
    "canApproveWebLogin: a CLI's web login": 'PrincipalNotSupported',
    'canUseWebAccount: its account page': 'PrincipalNotSupported',
  },
  'web session': {
    'canRead: a public package': 'session',
    'canRead: a restricted package': 'PackageNotFound',
    'canRead: a restricted package, one version': 'PackageNotFound',
    'canPublish: a new package': N,
    'canPublish: a package it owns': N,
    "canPublish: someone else's package": N,
    "canPublish: a new package in someone else's scope": N,
    'canManage: a package it owns': N,
    "canManage: someone else's package": N,
    'canUnpublish: a package it owns': N,
    "canUnpublish: someone else's package": N,
    'canActAsUser: its own account': N,
    'canActSignedIn: its own audit log': 'session',
    "canApproveWebLogin: a CLI's web login": 'session',
    'canUseWebAccount: its account page': 'session',
  },
  'trusted publisher': {
    'canRead: a public package': 'trusted-publisher',
    'canRead: a restricted package': 'PackageNotFound',
    'canRead: a restricted package, one version': 'PackageNotFound',
    // Only the packages its token names, and no new package without a pending configuration.
    'canPublish: a new package': 'TrustedPublisherNotAllowed',
    'canPublish: a package it owns': 'trusted-publisher',
    "canPublish: someone else's package": 'TrustedPublisherNotAllowed',
    "canPublish: a new package in someone else's scope": 'TrustedPublisherNotAllowed',
    'canManage: a package it owns': N,
    "canManage: someone else's package": N,
    'canUnpublish: a package it owns': N,
    "canUnpublish: someone else's package": N,
    'canActAsUser: its own account': N,
    'canActSignedIn: its own audit log': N,
    "canApproveWebLogin: a CLI's web login": N,
    'canUseWebAccount: its account page': N,
  },
};

const CELLS = Object.entries(COLUMNS).flatMap(([decision, cases]) =>
  Object.entries(cases as Record<string, Decide>).map(
    ([situation, decide]) => [`${decision}: ${situation}` as Column, decide] as const,
  ),
);

describe('authorization decisions, every principal kind', () => {
  it('covers every exported decision', () => {
    const exported = [...Object.entries(packageDecisions), ...Object.entries(accountDecisions)]
      .filter(([name, value]) => typeof value === 'function' && /^can[A-Z]/.test(name))
      .map(([name]) => name);
    expect(exported.sort()).toEqual(Object.keys(COLUMNS).sort());
  });

  for (const [row, principal] of ROWS) {
    describe(row, () => {
      for (const [column, decide] of CELLS) {
        it(`${column} → ${EXPECTED[row][column]}`, () => {
          const decision = decide(principal);
          expect(outcome(decision)).toBe(EXPECTED[row][column]);
          if (decision.ok) {
            // Narrowed, not rebuilt: callers use what enforce returns instead of checking the kind again.
            expect(decision.principal).toBe(principal);
            expect(enforce(decision)).toBe(principal);
          } else {
            expect(decision.reason.length).toBeGreaterThan(10);
            let thrown: unknown;
            try {
              enforce(decision);
            } catch (err) {
              thrown = err;
            }
            expect(isGatehouseError(thrown) && thrown.code).toBe(decision.code);
          }
        });
      }
    });
  }
});
