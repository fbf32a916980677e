// Trusted publishing: maintainers configure which CI identities may publish their packages
// (`npm trust`, the API, the web page), and a CI exchanges its OIDC ID token for a short-lived
// token that can publish only the package it asked for. Every change writes its event in the
// same transaction; the exchanged jti is recorded in the transaction that mints the token, so
// two concurrent exchanges of one ID token cannot both succeed.
import { randomUUID } from 'node:crypto';
import type { Store } from '../store.js';
import type { RequestContext } from '../access/context.js';
import { enforce, type TrustedAction, type TrustedPublisherPrincipal } from '../access/principal.js';
import { userActor } from '../access/actor.js';
import { fail } from '../errors.js';
import type { Clock } from '../clock.js';
import { packageFacts } from '../packages/publish/authorize.js';
import { canManage } from '../packages/authorize.js';
import { parsePackageName, type PackageName } from '../packages/names.js';
import { generateToken, hashToken, isWellFormedToken } from '../tokens/format.js';
import { parseTrustBody, type CustomIssuer, type TrustConfig, type TrustPermission } from './configs.js';
import type { IdTokenVerifier, VerifiedIdToken } from './id-token.js';
import { identityOf, matchConfig, refusedEvent } from './claims.js';
import { describeSpec } from './describe.js';
import { canConfigureTrust } from './authorize.js';

export interface TrustServiceDeps {
  store: Store;
  clock: Clock;
  verifier: IdTokenVerifier;
  customIssuers: readonly CustomIssuer[];
  /** `npm:<host>` with and without the port: npm drops it, yarn 4 keeps it. */
  audiences: () => string[];
  /** Life of a minted publish token (at most 15 minutes). */
  tokenMinutes: number;
  /** How long a pending publisher waits for its package's first publish. */
  pendingHours: number;
  skewSeconds: number;
  /** The maintainer MFA policy and one-time password check, as for owner changes. */
  writeCheck: (context: RequestContext) => Promise<unknown>;
}

export const MAX_TOKEN_MINUTES = 15;

const ACTIONS: Record<TrustPermission, TrustedAction> = { createPackage: 'publish', createStagedPackage: 'stage-publish' };

export class TrustService {
  constructor(private readonly deps: TrustServiceDeps) {}

  async list(context: RequestContext, name: PackageName): Promise<TrustConfig[]> {
    const { store } = this.deps;
    enforce(canConfigureTrust(context.principal, await packageFacts(store, name, context)));
    return store.trust.forPackage(name);
  }

  /** Adds configurations for `name`; one for a package that does not exist yet is pending. */
  async add(context: RequestContext, name: PackageName, body: unknown): Promise<TrustConfig[]> {
    const inputs = parseTrustBody(body, name, this.deps.customIssuers);
    const { store, clock } = this.deps;
    const user = enforce(canConfigureTrust(context.principal, await packageFacts(store, name, context))).user;
    for (const other of new Set(inputs.flatMap((i) => i.packages).filter((p) => p !== name))) {
      const facts = await packageFacts(store, parsePackageName(other), context);
      if (!facts.pkg)
        fail('TrustConfigInvalid', `"${other}" does not exist; a configuration covering several packages needs each to exist.`);
      enforce(canManage(context.principal, { name: other, owners: facts.owners }));
    }
    await this.deps.writeCheck(context);
    const at = new Date(clock.now());
    return store.transaction(async (tx) => {
      const exists = (await tx.packages.get(name)) !== undefined;
      const pendingUntil = exists ? null : new Date(at.getTime() + this.deps.pendingHours * 3600_000).toISOString();
      const added: TrustConfig[] = [];
      for (const input of inputs) {
        const { permissions, packages, ...spec } = input;
        const config: TrustConfig = {
          id: randomUUID(),
          spec,
          permissions,
          packages,
          createdBy: user.id,
          createdAt: at.toISOString(),
          pendingUntil,
        };
        await tx.trust.insert(config);
        await tx.events.append({
          type: 'trusted_publisher.added',
          actor: userActor(user),
          packageName: name,
          data: {
            id: config.id,
            type: spec.type,
            identity: describeSpec(spec),
            permissions,
            ...(pendingUntil && { pendingUntil }),
          },
          createdAt: config.createdAt,
        });
        added.push(config);
      }
      return added;
    });
  }

  async revoke(context: RequestContext, name: PackageName, id: string): Promise<void> {
    const { store, clock } = this.deps;
    const facts = await packageFacts(store, name, context);
    const user = enforce(canConfigureTrust(context.principal, facts)).user;
    await this.deps.writeCheck(context);
    await store.transaction(async (tx) => {
      const config = await tx.trust.byId(id);
      if (!config || !config.packages.includes(name))
        fail('TrustConfigNotFound', `"${name}" has no trusted publisher with id ${id.slice(0, 60)}.`);
      if (config.packages.length > 1) await tx.trust.unlink(id, name);
      else await tx.trust.remove(id);
      await tx.events.append({
        type: 'trusted_publisher.removed',
        actor: userActor(user),
        packageName: name,
        data: { id, type: config.spec.type, identity: describeSpec(config.spec) },
        createdAt: new Date(clock.now()).toISOString(),
      });
    });
  }

  /** POST /-/npm/v1/oidc/token/exchange/package/:name — the ID token for a publish token. */
  async exchange(idToken: string, name: PackageName): Promise<{ token: string; expiresAt: string }> {
    const { store, clock } = this.deps;
    const token = await this.deps.verifier.verify(idToken, this.deps.audiences());
    const event = refusedEvent(token);
    if (event)
      fail('OidcEventRefused', `ID tokens from "${event}" workflows cannot publish: that event can run code from a fork.`);
    const now = clock.now();
    const exists = (await store.packages.get(name)) !== undefined;
    const usable = (await store.trust.forPackage(name)).filter((c) => usableNow(c, exists, now));
    let found: { config: TrustConfig; pinOwnerId?: string } | undefined;
    for (const config of usable) {
      const match = matchConfig(config, token);
      if (match.ok) {
        found = { config, pinOwnerId: match.pinOwnerId };
        break;
      }
    }
    if (!found) {
      fail(
        'TrustedPublisherMismatch',
        `No trusted publisher of "${name}" matches this ${token.provider} identity (${who(token)}).`,
      );
    }
    const { config, pinOwnerId } = found;
    const secret = generateToken();
    const expiresAt = new Date(now + Math.min(this.deps.tokenMinutes, MAX_TOKEN_MINUTES) * 60_000).toISOString();
    await store.transaction(async (tx) => {
      // Keep the jti past exp + leeway, or a replayed token slips through once it is forgotten.
      const keepUntil = new Date(token.expiresAt.getTime() + this.deps.skewSeconds * 1000).toISOString();
      if (!(await tx.trust.recordTokenId(token.issuer, token.jti, keepUntil))) {
        fail(
          'OidcTokenReplayed',
          'This ID token was exchanged before; each one is good for one exchange. Ask the CI for a new one.',
        );
      }
      if (pinOwnerId && config.spec.type === 'github') {
        await tx.trust.update(config.id, { claims: { ...config.spec.claims, repository_owner_id: pinOwnerId } });
      }
      await tx.trust.insertToken({
        tokenHash: hashToken(secret),
        publisherId: config.id,
        packageName: name,
        identity: identityOf(token),
        createdAt: new Date(now).toISOString(),
        expiresAt,
      });
    });
    return { token: secret, expiresAt };
  }

  /**
   * A jti is kept until its token's exp + skew, when verification refuses the token as expired
   * anyway; minted tokens are kept until they expire. Run by a cluster job.
   */
  async pruneExpired(): Promise<void> {
    await this.deps.store.trust.pruneExpired(new Date(this.deps.clock.now()).toISOString());
  }

  /** The principal of a minted publish token; undefined when it is unknown, expired or its configuration is gone. */
  async authenticate(secret: string): Promise<TrustedPublisherPrincipal | undefined> {
    if (!isWellFormedToken(secret)) return undefined;
    const found = await this.deps.store.trust.tokenByHash(hashToken(secret));
    const now = this.deps.clock.now();
    if (!found || Date.parse(found.expiresAt) <= now) return undefined;
    const pending = found.config.pendingUntil !== null && Date.parse(found.config.pendingUntil) > now;
    return {
      kind: 'trusted-publisher',
      issuer: found.identity.issuer ?? '',
      subject: found.identity.sub ?? '',
      packages: [found.packageName],
      publisherId: found.publisherId,
      actions: found.config.permissions.map((p) => ACTIONS[p]),
      ...(pending && { ownerOnCreate: found.config.createdBy }),
      identity: found.identity,
    };
  }
}

/** A pending configuration serves only until its package exists or its time runs out; others only an existing package. */
function usableNow(config: TrustConfig, exists: boolean, now: number): boolean {
  if (config.pendingUntil === null) return exists;
  return !exists && Date.parse(config.pendingUntil) > now;
}

function who(token: VerifiedIdToken): string {
  const c = token.claims;
  const name = [c.repository, c.project_path, c['oidc.circleci.com/project-id'], c.sub].find((v) => typeof v === 'string');
  return String(name ?? token.issuer).slice(0, 120);
}
