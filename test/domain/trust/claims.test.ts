// Which issuers count as which provider, and which claims a configuration matches: pure
// functions, no storage. GitHub identities match on repository, owner id and workflow_ref, never
// on `sub`; GitHub Enterprise Cloud's issuers count as GitHub; look-alike issuers count as nothing.
import { describe, expect, it } from 'vitest';
import { providerOf, type IssuerSettings, type VerifiedIdToken } from '../../../src/domain/trust/id-token.js';
import { matchConfig, refusedEvent } from '../../../src/domain/trust/claims.js';
import type { TrustConfig } from '../../../src/domain/trust/configs.js';

const SETTINGS: IssuerSettings = {
  github: 'https://token.actions.githubusercontent.com',
  gitlab: 'https://gitlab.com',
  circleci: 'https://oidc.circleci.com/org',
  custom: [{ issuer: 'https://forgejo.example', claims: ['repository'] }],
  skewSeconds: 60,
  fetchTimeoutMs: 1000,
  keysCooldownMs: 30_000,
};

function token(claims: Record<string, unknown>, issuer = SETTINGS.github): VerifiedIdToken {
  return { provider: providerOf(issuer, SETTINGS)!, issuer, jti: 'j', expiresAt: new Date(), claims };
}

const github: TrustConfig = {
  id: 'c1',
  spec: {
    type: 'github',
    claims: { repository: 'acme/widget', workflow_ref: { file: 'release.yml' }, repository_owner_id: '42' },
  },
  permissions: ['createPackage'],
  packages: ['widget'],
  createdBy: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
  pendingUntil: null,
};

const run = {
  repository: 'acme/widget',
  repository_owner_id: '42',
  workflow_ref: 'acme/widget/.github/workflows/release.yml@refs/heads/main',
  event_name: 'push',
};

describe('trusted publisher claims', () => {
  it('knows the hosted issuers, GitHub Enterprise Cloud slugs and admin issuers, and nothing that only looks like them', () => {
    expect(providerOf('https://token.actions.githubusercontent.com', SETTINGS)).toBe('github');
    expect(providerOf('https://token.actions.githubusercontent.com/acme-corp', SETTINGS)).toBe('github');
    expect(providerOf('https://token.actions.githubusercontent.com/acme/../x', SETTINGS)).toBeUndefined();
    expect(providerOf('https://token.actions.githubusercontent.com.evil.invalid', SETTINGS)).toBeUndefined();
    expect(providerOf('https://oidc.circleci.com/org/0f8e6c1a-1111-4222-8333-944445555666', SETTINGS)).toBe('circleci');
    expect(providerOf('https://oidc.circleci.com/org/not-a-uuid', SETTINGS)).toBeUndefined();
    expect(providerOf('https://forgejo.example', SETTINGS)).toBe('custom');
    expect(providerOf('https://gitlab.com.invalid', SETTINGS)).toBeUndefined();
  });

  it('matches GitHub on repository, owner id and workflow file, whatever `sub` says', () => {
    expect(matchConfig(github, token({ ...run, sub: 'repo:someone/else:ref:x' })).ok).toBe(true);
    expect(
      matchConfig(
        github,
        token({ ...run, repository: 'ACME/Widget', workflow_ref: 'ACME/Widget/.github/workflows/release.yml@refs/tags/v1' }),
      ).ok,
    ).toBe(true);
    expect(matchConfig(github, token({ ...run, repository_owner_id: '43' })).ok).toBe(false);
    expect(
      matchConfig(github, token({ ...run, workflow_ref: 'acme/widget/.github/workflows/release.yml.evil@refs/heads/main' })).ok,
    ).toBe(false);
    expect(
      matchConfig(github, token({ ...run, workflow_ref: 'acme/other/.github/workflows/release.yml@refs/heads/main' })).ok,
    ).toBe(false);
    expect(matchConfig(github, token(run, 'https://token.actions.githubusercontent.com/acme-corp')).ok).toBe(true);
    const withEnvironment: TrustConfig = {
      ...github,
      spec: { type: 'github', claims: { ...github.spec.claims, environment: 'prod' } } as TrustConfig['spec'],
    };
    expect(matchConfig(withEnvironment, token(run)).ok).toBe(false);
    expect(matchConfig(withEnvironment, token({ ...run, environment: 'prod' })).ok).toBe(true);
  });

  it('pins the owner id on first use when the configuration has none', () => {
    const unpinned: TrustConfig = {
      ...github,
      spec: { type: 'github', claims: { repository: 'acme/widget', workflow_ref: { file: 'release.yml' } } },
    };
    expect(matchConfig(unpinned, token(run))).toEqual({ ok: true, pinOwnerId: '42' });
  });

  it('refuses pull_request_target and workflow_run runs', () => {
    expect(refusedEvent(token({ ...run, event_name: 'pull_request_target' }))).toBe('pull_request_target');
    expect(refusedEvent(token({ ...run, event_name: 'workflow_run' }))).toBe('workflow_run');
    expect(refusedEvent(token(run))).toBeUndefined();
  });

  it('matches an admin issuer on exactly the claims the configuration names', () => {
    const custom: TrustConfig = {
      ...github,
      spec: { type: 'custom', issuer: 'https://forgejo.example', claims: { repository: 'ops/tool', ref: 'refs/heads/main' } },
    };
    expect(matchConfig(custom, token({ repository: 'ops/tool', ref: 'refs/heads/main' }, 'https://forgejo.example')).ok).toBe(
      true,
    );
    expect(matchConfig(custom, token({ repository: 'ops/tool', ref: 'refs/heads/dev' }, 'https://forgejo.example')).ok).toBe(
      false,
    );
    expect(matchConfig(custom, token({ repository: 'ops/tool', ref: 'refs/heads/main' })).ok).toBe(false);
  });
});
