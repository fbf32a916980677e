// The authorization matrix: every write endpoint of the npm API, tried by every kind of caller a
// registry has (anonymous; a stranger; the package's maintainer and org owner; an org admin and a
// developer with no grant; members of a read-only and a read-write team; a registry admin; and the
// maintainer's own tokens narrowed to read, to publish, to another package, or to publishing
// without a second factor), asserting exactly which are allowed and, for each refusal, its status.
// Each cell acts on its own package (@acme/cell-N, published by the owner, granted to both teams)
// or its own org target, so an allowed write never changes what another cell sees. A write route
// registered without a row here fails the coverage test: a new endpoint must say who may use it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import * as npm from '../support/npm-protocol.js';
import { packageBuilder } from '../fixtures/package-builder.js';
import type { TokenScope } from '../../src/domain/tokens/scopes.js';
import { moderatorTotp } from '../support/mfa.js';
import { ManualClock } from '../../src/domain/clock.js';

type Caller =
  | 'anonymous'
  | 'stranger'
  | 'owner'
  | 'org-admin'
  | 'org-developer'
  | 'team-read'
  | 'team-write'
  | 'registry-admin'
  | 'token-read'
  | 'token-publish'
  | 'token-other-package'
  | 'token-bypass-2fa';

const CALLERS: readonly Caller[] = [
  'anonymous',
  'stranger',
  'owner',
  'org-admin',
  'org-developer',
  'team-read',
  'team-write',
  'registry-admin',
  'token-read',
  'token-publish',
  'token-other-package',
  'token-bypass-2fa',
];

/** What a cell must answer: a 2xx, or the refusal's status. */
type Outcome = 'ok' | 401 | 403 | 404;

interface Cell {
  r: TestRegistry;
  /** The caller acting, as a TestUser (anonymous: an empty token). */
  as: TestUser;
  /** The cell's own package, @acme/cell-N, version 1.0.0 published by the owner, granted to both teams. */
  pkg: string;
  n: number;
  /** This caller's own bystanders: a user in no org, and a developer of acme in no team. */
  newcomer: string;
  member: string;
  /** A report on the cell's package filed by the stranger, when the row needs one. */
  report: string;
}

interface Row {
  /** The routes (method + Fastify path) this row exercises. */
  routes: string[];
  what: string;
  /** What the cell's package needs beyond 1.0.0: a second version, the `next` tag on it. */
  needs?: 'second-version' | 'report';
  act(cell: Cell): Promise<LightMyRequestResponse>;
  expect: Record<Caller, Outcome>;
}

const json = { 'content-type': 'application/json' };
/** The registry administrator's next one-time password (set once it has enrolled). */
let moderatorCode: () => string = () => '';
const auth = (as: TestUser) => (as.token ? npm.bearer(as.token) : {});

/** Everyone refused alike but `allowed`: the common shape of the rows below. */
function only(
  allowed: readonly Caller[],
  others: Partial<Record<Caller, Outcome>>,
  rest: Outcome = 403,
): Record<Caller, Outcome> {
  return Object.fromEntries(
    CALLERS.map((c) => [c, allowed.includes(c) ? 'ok' : (others[c] ?? (c === 'anonymous' ? 401 : rest))]),
  ) as Record<Caller, Outcome>;
}

// Who may change a package's tags and deprecations: its maintainers and read-write teams (they
// publish, so they may move tags), registry admins (moderation), and tokens that may.
const TAGGERS: Caller[] = ['owner', 'team-write', 'registry-admin', 'token-bypass-2fa'];
// Owners and unpublish stay with the maintainers and registry admins.
const MAINTAINERS: Caller[] = ['owner', 'registry-admin', 'token-bypass-2fa'];
// Orgs and teams: the org's owners and admins, and registry admins; never a token that skips the second factor.
const ORG_MANAGERS: Caller[] = ['owner', 'org-admin', 'registry-admin'];

const ROWS: Row[] = [
  {
    routes: ['PUT /*'],
    what: 'publish a new version',
    act: ({ r, as, pkg }) =>
      r.inject({
        method: 'PUT',
        url: `/${npm.escaped(pkg)}`,
        headers: auth(as),
        payload: packageBuilder(pkg, '1.1.0').file('index.js', '// 1.1.0\n').publishBody(r.url),
      }),
    expect: only(['owner', 'team-write', 'token-publish', 'token-bypass-2fa'], {}),
  },
  {
    routes: ['PUT /*'],
    what: 'create a new package in the org scope',
    act: ({ r, as, n }) =>
      r.inject({
        method: 'PUT',
        url: `/${npm.escaped(`@acme/new-${n}`)}`,
        headers: auth(as),
        payload: packageBuilder(`@acme/new-${n}`, '1.0.0').file('index.js', '//\n').publishBody(r.url),
      }),
    // npm's roles: every member may create packages in the scope.
    expect: only(['owner', 'org-admin', 'org-developer', 'team-read', 'team-write', 'token-publish', 'token-bypass-2fa'], {}),
  },
  {
    routes: ['PUT /-/package/*'],
    what: 'add a dist-tag',
    act: ({ r, as, pkg }) => npm.addDistTag(r, as, pkg, 'beta', '1.0.0'),
    expect: only(TAGGERS, {}),
  },
  {
    routes: ['DELETE /-/package/*'],
    what: 'remove a dist-tag',
    needs: 'second-version',
    act: ({ r, as, pkg }) => npm.removeDistTag(r, as, pkg, 'next'),
    expect: only(TAGGERS, {}),
  },
  {
    routes: ['PUT /*'],
    what: 'deprecate a version',
    act: ({ r, as, pkg }) =>
      npm.deprecate(r, as, pkg, (doc) => {
        doc.versions['1.0.0']!.deprecated = 'use 2';
      }),
    expect: only(TAGGERS, {}),
  },
  {
    routes: ['PUT /*'],
    what: 'change the maintainers',
    act: ({ r, as, pkg }) => npm.changeOwners(r, as, pkg, (m) => void m.push({ name: 'stan', email: 'stan@example.com' })),
    // A token that skips the second factor never changes owners.
    expect: only(['owner', 'registry-admin'], {}),
  },
  {
    routes: ['PUT /*', 'DELETE /*'],
    what: 'unpublish a version',
    needs: 'second-version',
    act: ({ r, as, pkg }) => npm.unpublishVersion(r, as.token, pkg, '1.0.1'),
    expect: only(MAINTAINERS, {}),
  },
  {
    routes: ['DELETE /*'],
    what: 'unpublish the package',
    act: ({ r, as, pkg }) => npm.unpublishPackage(r, as.token, pkg),
    expect: only(MAINTAINERS, {}),
  },
  {
    routes: ['POST /-/package/:name/access'],
    what: 'make the package private',
    act: ({ r, as, pkg }) =>
      r.inject({
        method: 'POST',
        url: `/-/package/${npm.escaped(pkg)}/access`,
        headers: { ...auth(as), ...json },
        payload: JSON.stringify({ access: 'restricted' }),
      }),
    // Maintainers and the org's owners and admins; package access is never changed by a token that skips the second factor.
    expect: only(ORG_MANAGERS, {}),
  },
  {
    routes: ['PUT /-/team/:org/:team/package', 'DELETE /-/team/:org/:team/package'],
    what: 'grant a team access to the package',
    act: ({ r, as, pkg }) =>
      r.inject({
        method: 'PUT',
        url: '/-/team/acme/spare/package',
        headers: { ...auth(as), ...json },
        payload: JSON.stringify({ package: pkg, permissions: 'read-write' }),
      }),
    expect: only(ORG_MANAGERS, {}),
  },
  {
    routes: ['POST /-/package/:pkg/trust', 'DELETE /-/package/:pkg/trust/:id'],
    what: 'add a trusted publisher',
    act: ({ r, as, pkg, n }) =>
      r.inject({
        method: 'POST',
        url: `/-/package/${npm.escaped(pkg)}/trust`,
        headers: { ...auth(as), ...json },
        payload: JSON.stringify([
          {
            type: 'github',
            claims: { repository: `acme/cell-${n}`, workflow_ref: { file: 'release.yml' } },
            permissions: ['createPackage'],
          },
        ]),
      }),
    expect: only(['owner', 'registry-admin'], {}),
  },
  {
    routes: ['PUT /-/org/:org/user', 'DELETE /-/org/:org/user'],
    what: 'add an org member',
    act: ({ r, as, newcomer }) =>
      r.inject({
        method: 'PUT',
        url: '/-/org/acme/user',
        headers: { ...auth(as), ...json },
        payload: JSON.stringify({ user: newcomer, role: 'developer' }),
      }),
    expect: only(ORG_MANAGERS, {}),
  },
  {
    routes: ['PUT /-/org/:org/team', 'DELETE /-/team/:org/:team'],
    what: 'create a team',
    act: ({ r, as, n }) =>
      r.inject({
        method: 'PUT',
        url: '/-/org/acme/team',
        headers: { ...auth(as), ...json },
        payload: JSON.stringify({ name: `team-${n}` }),
      }),
    expect: only(ORG_MANAGERS, {}),
  },
  {
    routes: ['PUT /-/team/:org/:team/user', 'DELETE /-/team/:org/:team/user'],
    what: 'add a member to a team',
    act: ({ r, as, member }) =>
      r.inject({
        method: 'PUT',
        url: '/-/team/acme/spare/user',
        headers: { ...auth(as), ...json },
        payload: JSON.stringify({ user: member }),
      }),
    expect: only(ORG_MANAGERS, {}),
  },
  {
    routes: ['PUT /-/org/:org/settings'],
    what: 'change the org settings',
    act: ({ r, as }) =>
      r.inject({
        method: 'PUT',
        url: '/-/org/acme/settings',
        headers: { ...auth(as), ...json },
        payload: JSON.stringify({ developersGetNewPackages: false }),
      }),
    // Who gets new packages by default is the org owners' decision alone.
    expect: only(['owner', 'registry-admin'], {}),
  },
  {
    routes: ['POST /-/npm/v1/tokens', 'DELETE /-/npm/v1/tokens/token/:key'],
    what: 'create a token (for oneself)',
    act: ({ r, as }) =>
      r.inject({
        method: 'POST',
        url: '/-/npm/v1/tokens',
        headers: { ...auth(as), ...json },
        payload: JSON.stringify({ password: as.password }),
      }),
    // Every account for itself; a narrowed token cannot make a wider one.
    expect: only(['stranger', 'owner', 'org-admin', 'org-developer', 'team-read', 'team-write', 'registry-admin'], {}),
  },
  {
    routes: ['POST /-/gatehouse/v1/packages/:pkg/reports'],
    what: 'report a package',
    act: ({ r, as, pkg }) =>
      r.inject({
        method: 'POST',
        url: `/-/gatehouse/v1/packages/${npm.escaped(pkg)}/reports`,
        headers: { ...auth(as), ...json },
        payload: JSON.stringify({ reason: 'spam', description: 'An advertisement, not a library.' }),
      }),
    // Anyone signed in; a read-only token speaks for nobody's judgement.
    expect: only(
      [
        'stranger',
        'owner',
        'org-admin',
        'org-developer',
        'team-read',
        'team-write',
        'registry-admin',
        'token-publish',
        'token-other-package',
        'token-bypass-2fa',
      ],
      {},
    ),
  },
  {
    routes: ['POST /-/gatehouse/v1/reports/:id/messages'],
    what: "add to a report's thread",
    needs: 'report',
    act: ({ r, as, report }) =>
      r.inject({
        method: 'POST',
        url: `/-/gatehouse/v1/reports/${report}/messages`,
        headers: { ...auth(as), ...json },
        payload: JSON.stringify({ text: 'More detail.' }),
      }),
    // The reporter (the stranger) and moderators; to anyone else the report does not exist.
    expect: only(['stranger', 'registry-admin'], {}, 404),
  },
  ...(['confirm', 'dismiss', 'ask'] as const).map(
    (action): Row => ({
      routes: [`POST /-/gatehouse/v1/admin/reports/:id/${action}`],
      what: `moderate a report (${action})`,
      needs: 'report',
      act: ({ r, as, report }) =>
        r.inject({
          method: 'POST',
          url: `/-/gatehouse/v1/admin/reports/${report}/${action}`,
          // Moderation asks the administrator for a second factor every time (docs/quarantine.md).
          headers: { ...auth(as), ...json, ...(as.user.name === 'root' && { 'npm-otp': moderatorCode() }) },
          payload: JSON.stringify({ note: 'Looked at it.', question: 'What does it do?' }),
        }),
      expect: only(['registry-admin'], {}),
    }),
  ),
];

/** Write routes outside this matrix, and why: each is about the caller's own account or session, or has its own test. */
const ELSEWHERE: Record<string, string> = {
  'PUT /-/user/*': 'sign-up and legacy login: no principal yet (test/http/signup.test.ts, login tests)',
  'DELETE /-/user/token/*': "npm logout: revokes the caller's own token (test/http/token-scopes.test.ts)",
  'POST /-/v1/login': 'web login start: anonymous by design',
  'POST /-/npm/v1/user': "npm profile set: the caller's own account (test/http/profile.test.ts)",
  'POST /-/org': 'admin org creation (test/http/orgs.test.ts)',
  'POST /-/gatehouse/v1/email/verification': "resend the caller's own verification mail",
  'POST /-/npm/v1/oidc/token/exchange/package/*': 'trusted publishing: an OIDC identity, not a user (trusted-publishing tests)',
  'POST /-/secret-scanning/github': 'signed by GitHub, not a user (secret-scanning.test.ts)',
  // staged publishing: maintainers, stage-only tokens and strangers (test/http/staged-publishing.test.ts)
  'POST /-/stage/package/*': 'npm stage publish: the publish decision with the stage scope (staged-publishing.test.ts)',
  'POST /-/stage/:id/approve': 'maintainers with a second factor; stage-only tokens refused (staged-publishing.test.ts)',
  'DELETE /-/stage/:id': 'maintainers; stage-only tokens refused (staged-publishing.test.ts)',
  'PUT /-/package/:pkg/staging': 'owners, as an owner change (staged-publishing.test.ts)',
  'PUT /-/gatehouse/v1/admin/names/allowed/*': 'typosquatting allow-list: administrators only (test/http/typosquatting.test.ts)',
  'DELETE /-/gatehouse/v1/admin/names/allowed/*':
    'typosquatting allow-list: administrators only (test/http/typosquatting.test.ts)',
  'POST /-/gatehouse/v1/admin/names/claims/*': 'held name claims: administrators only (test/http/typosquatting.test.ts)',
  'POST /-/gatehouse/v1/admin/quarantine/:pkg/:version/release':
    'registry administrators with a second factor (malware-scanning.test.ts, reports.test.ts)',
  'POST /-/gatehouse/v1/admin/quarantine/:pkg/:version/reject':
    'registry administrators with a second factor (malware-scanning.test.ts, reports.test.ts)',
  'PUT /-/gatehouse/v1/admin/scan/rules/:id': 'registry administrators only (malware-scanning.test.ts)',
  'POST /-/gatehouse/v1/admin/advisories': 'OSV import: administrators only (test/http/advisories.test.ts)',
  'PUT /-/gatehouse/provenance/*': 'owners declare a provenance change (test/http/provenance.test.ts)',
  'POST /-/npm/v1/security/advisories/bulk':
    'npm audit: a query (versions in, advisories out) that writes nothing (advisories.test.ts)',
  'POST /-/npm/v1/security/audits/quick': 'pnpm 10 audit: a query that writes nothing (advisories.test.ts)',
  'POST /-/npm/v1/security/audits': 'the legacy full audit: a query that writes nothing (advisories.test.ts)',
};

for (const engine of ENGINES) {
  describe(`authorization matrix (${engine})`, () => {
    let r: TestRegistry;
    let owner: TestUser;
    const as = {} as Record<Caller, TestUser>;
    let cells = 0;

    async function token(
      user: TestUser,
      scopes: readonly TokenScope[],
      extra: { packages?: string[]; bypass2fa?: boolean } = {},
    ) {
      const secret = await r.registry.store.transaction(
        async (tx) =>
          (
            await r.registry.tokens.create(tx, user.user, {
              scopes,
              reason: 'matrix',
              limits: { name: undefined, packages: extra.packages ?? null, cidrs: null, bypass2fa: extra.bypass2fa ?? false },
            })
          ).secret,
      );
      return { ...user, token: secret };
    }

    const ownerCall = (method: 'PUT' | 'DELETE', url: string, payload: unknown) =>
      r.inject({ method, url, headers: { ...npm.bearer(owner.token), ...json }, payload: JSON.stringify(payload) });

    /** A fresh package for one cell: 1.0.0 (and 1.0.1 tagged `next` when the row needs it), read to `readers`, write to `writers`. */
    async function freshCell(needs: Row['needs']): Promise<{ pkg: string; n: number }> {
      const n = ++cells;
      const pkg = `@acme/cell-${n}`;
      const versions = needs === 'second-version' ? ['1.0.0', '1.0.1'] : ['1.0.0'];
      for (const v of versions) await npm.published(r, owner, packageBuilder(pkg, v).file('index.js', `// ${v}\n`));
      if (needs === 'second-version') expect((await npm.addDistTag(r, owner, pkg, 'next', '1.0.1')).statusCode).toBe(200);
      for (const [team, permissions] of [
        ['readers', 'read-only'],
        ['writers', 'read-write'],
      ] as const) {
        expect((await ownerCall('PUT', `/-/team/acme/${team}/package`, { package: pkg, permissions })).statusCode).toBe(200);
      }
      return { pkg, n };
    }

    /** The stranger reports the cell's package; its id. */
    async function fileReport(pkg: string): Promise<string> {
      const res = await r.inject({
        method: 'POST',
        url: `/-/gatehouse/v1/packages/${npm.escaped(pkg)}/reports`,
        headers: { ...npm.bearer(as['stranger'].token), ...json },
        payload: JSON.stringify({ reason: 'malicious', description: 'It reads ~/.npmrc and posts it.' }),
      });
      expect(res.statusCode, res.body).toBe(201);
      return String(res.json<{ id: string | number }>().id);
    }

    beforeAll(async () => {
      // Every cell files reports as the stranger: no daily limit in the way.
      // A manual clock, so the administrator's one-time passwords never run out.
      r = await startRegistry(engine, { config: { reportsPerDay: 100_000 }, deps: { clock: new ManualClock(Date.now()) } });
      owner = await r.createUser('olive');
      await npm.published(r, owner, packageBuilder('@acme/seed', '1.0.0').file('index.js', '//\n'));
      await npm.published(r, owner, packageBuilder('other-pkg', '1.0.0').file('index.js', '//\n'));
      const member = async (name: string, role: string, team?: string) => {
        const user = await r.createUser(name);
        expect((await ownerCall('PUT', '/-/org/acme/user', { user: name, role })).statusCode).toBe(200);
        if (team) expect((await ownerCall('PUT', `/-/team/acme/${team}/user`, { user: name })).statusCode).toBe(200);
        return user;
      };
      for (const team of ['readers', 'writers', 'spare'])
        expect((await ownerCall('PUT', '/-/org/acme/team', { name: team })).statusCode).toBe(201);
      as['anonymous'] = { ...owner, token: '', password: '' };
      as['stranger'] = await r.createUser('stan');
      as['owner'] = owner;
      as['org-admin'] = await member('adele', 'admin');
      as['org-developer'] = await member('dev', 'developer');
      as['team-read'] = await member('rita', 'developer', 'readers');
      as['team-write'] = await member('will', 'developer', 'writers');
      as['registry-admin'] = await r.createUser('root', { admin: true });
      moderatorCode = (await moderatorTotp(r, as['registry-admin'])).nextCode;
      as['token-read'] = await token(owner, ['read']);
      as['token-publish'] = await token(owner, ['read', 'publish']);
      as['token-other-package'] = await token(owner, ['read', 'publish', 'manage'], { packages: ['other-pkg'] });
      as['token-bypass-2fa'] = await token(owner, ['read', 'publish', 'manage'], { bypass2fa: true });
      // Each caller's own bystanders, so an allowed change never changes what another caller meets.
      for (const caller of CALLERS) {
        await r.createUser(`newcomer-${caller}`);
        await member(`member-${caller}`, 'developer');
      }
    });
    afterAll(() => r?.close());

    for (const row of ROWS) {
      it(`${row.what}: exactly the expected callers may`, async () => {
        const got: Record<string, Outcome | number> = {};
        for (const caller of CALLERS) {
          const { pkg, n } = await freshCell(row.needs);
          const bystanders = { newcomer: `newcomer-${caller}`, member: `member-${caller}` };
          const report = row.needs === 'report' ? await fileReport(pkg) : '';
          const res = await row.act({ r, as: as[caller], pkg, n, report, ...bystanders });
          got[caller] = res.statusCode >= 200 && res.statusCode < 300 ? 'ok' : res.statusCode;
        }
        expect(got).toEqual(row.expect);
      });
    }

    it('has a row (or a stated reason) for every write route the app registers', () => {
      const writes = new Set(r.routes.filter((route) => !/^(GET|HEAD) /.test(route)));
      const covered = new Set([...ROWS.flatMap((row) => row.routes), ...Object.keys(ELSEWHERE)]);
      const missing = [...writes].filter((w) => !covered.has(w) && !w.includes(' /account') && !isWebForm(w));
      expect(missing).toEqual([]);
    });
  });
}

/** The web pages' forms act for the signed-in browser's own account (CSRF-checked; their own tests). */
function isWebForm(route: string): boolean {
  const path = route.split(' ')[1] ?? '';
  return !path.startsWith('/-/') && path !== '/*';
}
