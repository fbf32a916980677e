// Verifies a CI's OIDC ID token before anything is looked up for it. Threats: a forged or
// replayed token, one for another registry, one whose issuer we never meant to trust, and an
// issuer whose keys cannot be fetched (we fail closed). The issuer is checked against the
// allow-list on the unverified token *before* any network fetch, so a token cannot make us
// fetch an address of its choosing; discovery must name a key set on the issuer's own origin.
// Keys come from OIDC discovery + JWKS (jose), cached, refetched once when an unknown kid shows
// up (rotation) and no more often than the cooldown allows.
import {
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { LRUCache } from 'lru-cache';
import { catalogError, fail, isGatehouseError } from '../errors.js';
import type { Clock } from '../clock.js';
import type { CustomIssuer } from './configs.js';

export type Provider = 'github' | 'gitlab' | 'circleci' | 'custom';

export interface IssuerSettings {
  /** GitHub's issuer; its enterprise issuers are this plus `/<enterprise slug>`. */
  github: string;
  gitlab: string;
  /** CircleCI's issuer prefix; each organisation's issuer is this plus `/<org id>`. */
  circleci: string;
  custom: readonly CustomIssuer[];
  /** Allowed clock difference for exp, nbf and iat. */
  skewSeconds: number;
  /** Longest wait for discovery or the key set. */
  fetchTimeoutMs: number;
  /** An unknown kid refetches the key set at most once per this long (rotation without a refetch storm). */
  keysCooldownMs: number;
}

export interface VerifiedIdToken {
  provider: Provider;
  issuer: string;
  jti: string;
  expiresAt: Date;
  claims: JWTPayload & Record<string, unknown>;
}

/** Real ID tokens are 1–2 KiB; anything far larger is refused before it is parsed. */
export const MAX_ID_TOKEN_BYTES = 16 * 1024;
/** Asymmetric only: an `HS256` token "signed" with a public key, or `none`, never gets to a key. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA'];
const DISCOVERY_MS = 60 * 60 * 1000;
const MAX_DISCOVERY_BYTES = 64 * 1024;
const SLUG = /^[A-Za-z0-9-]{1,100}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Which provider an issuer belongs to, or undefined when it is not on the allow-list. */
export function providerOf(issuer: string, settings: IssuerSettings): Provider | undefined {
  if (issuer === settings.github) return 'github';
  if (issuer.startsWith(`${settings.github}/`) && SLUG.test(issuer.slice(settings.github.length + 1))) return 'github';
  if (issuer === settings.gitlab) return 'gitlab';
  if (issuer.startsWith(`${settings.circleci}/`) && UUID.test(issuer.slice(settings.circleci.length + 1))) return 'circleci';
  if (settings.custom.some((c) => c.issuer === issuer)) return 'custom';
  return undefined;
}

export class IdTokenVerifier {
  // Bounded: CircleCI's issuers are one per organisation, so their number is not ours to choose.
  private readonly keySets = new LRUCache<string, { keys: JWTVerifyGetKey; at: number }>({ max: 200 });

  constructor(
    private readonly settings: IssuerSettings,
    private readonly clock: Clock,
  ) {}

  /** The verified token; throws a catalog error saying what is wrong otherwise. */
  async verify(jwt: string, audiences: readonly string[]): Promise<VerifiedIdToken> {
    // attacker-controlled: parse defensively.
    if (jwt.length > MAX_ID_TOKEN_BYTES) fail('OidcTokenMalformed', `The ID token is longer than ${MAX_ID_TOKEN_BYTES} bytes.`);
    const { alg, issuer } = unverifiedParts(jwt);
    if (!alg || !ALGORITHMS.includes(alg)) {
      fail(
        'OidcAlgorithmRefused',
        `ID tokens signed with "${String(alg).slice(0, 20)}" are refused; issuers sign with RS256 or ES256.`,
      );
    }
    const provider = providerOf(issuer, this.settings);
    if (!provider)
      fail('OidcIssuerNotAllowed', `Tokens from the issuer ${issuer.slice(0, 120)} are not accepted by this registry.`);
    const keys = await this.keysOf(issuer);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(jwt, keys, {
        issuer,
        audience: [...audiences],
        algorithms: ALGORITHMS,
        clockTolerance: this.settings.skewSeconds,
        currentDate: new Date(this.clock.now()),
        maxTokenAge: '1h',
        requiredClaims: ['exp', 'iat', 'jti'],
      }));
    } catch (err) {
      throw verifyError(err, audiences);
    }
    if (typeof payload.jti !== 'string' || payload.jti.length === 0 || payload.jti.length > 200) {
      fail('OidcTokenMalformed', 'The ID token has no usable "jti" claim.');
    }
    return { provider, issuer, jti: payload.jti, expiresAt: new Date((payload.exp ?? 0) * 1000), claims: payload };
  }

  private async keysOf(issuer: string): Promise<JWTVerifyGetKey> {
    const cached = this.keySets.get(issuer);
    if (cached && this.clock.now() - cached.at < DISCOVERY_MS) return cached.keys;
    const jwksUri = await this.discover(issuer);
    const keys = createRemoteJWKSet(jwksUri, {
      timeoutDuration: this.settings.fetchTimeoutMs,
      cooldownDuration: this.settings.keysCooldownMs,
    });
    this.keySets.set(issuer, { keys, at: this.clock.now() });
    return keys;
  }

  /** OpenID Connect Discovery 1.0 §4: the document at /.well-known/openid-configuration names the key set. */
  private async discover(issuer: string): Promise<URL> {
    const unavailable = (why: string) =>
      catalogError(
        'OidcKeysUnavailable',
        `Cannot fetch the signing keys of ${issuer}: ${why}. Nothing was published; try again later.`,
      );
    let body: string;
    try {
      const response = await fetch(`${issuer}/.well-known/openid-configuration`, {
        signal: AbortSignal.timeout(this.settings.fetchTimeoutMs),
        redirect: 'error',
        headers: { accept: 'application/json' },
      });
      if (!response.ok) throw unavailable(`discovery answered ${response.status}`);
      body = await response.text();
    } catch (err) {
      if (isGatehouseError(err)) throw err;
      throw unavailable((err as Error).name === 'TimeoutError' ? 'discovery timed out' : 'discovery could not be reached');
    }
    if (body.length > MAX_DISCOVERY_BYTES) throw unavailable('the discovery document is too large');
    let doc: unknown;
    try {
      doc = JSON.parse(body);
    } catch {
      throw unavailable('the discovery document is not JSON');
    }
    const record = (typeof doc === 'object' && doc !== null ? doc : {}) as Record<string, unknown>;
    if (record.issuer !== issuer) throw unavailable('the discovery document names another issuer');
    let jwksUri: URL;
    try {
      jwksUri = new URL(String(record.jwks_uri));
    } catch {
      throw unavailable('the discovery document has no jwks_uri');
    }
    if (jwksUri.origin !== new URL(issuer).origin) throw unavailable("the key set is not on the issuer's own host");
    return jwksUri;
  }
}

function unverifiedParts(jwt: string): { alg: string | undefined; issuer: string } {
  try {
    const header = decodeProtectedHeader(jwt);
    const payload = decodeJwt(jwt);
    if (typeof payload.iss !== 'string' || payload.iss === '') throw new Error('no iss');
    return { alg: header.alg, issuer: payload.iss };
  } catch {
    fail(
      'OidcTokenMalformed',
      'The ID token is not a well-formed JWT (three base64url parts, JSON header and claims, an "iss").',
    );
  }
}

function verifyError(err: unknown, audiences: readonly string[]) {
  if (isGatehouseError(err)) return err;
  if (err instanceof errors.JWTExpired) {
    return catalogError('OidcTokenExpired', 'The ID token has expired (or is too old); ask the CI for a fresh one.');
  }
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'aud') {
      return catalogError(
        'OidcAudienceMismatch',
        `The ID token is for another audience; request it with audience ${audiences[0]}.`,
      );
    }
    if (err.claim === 'nbf' || err.claim === 'iat') {
      return catalogError('OidcTokenNotYetValid', 'The ID token is not valid yet; check the clock of the CI runner.');
    }
    return catalogError('OidcTokenMalformed', `The ID token's "${err.claim}" claim is missing or wrong.`);
  }
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) {
    return catalogError('OidcKeyUnknown', "The ID token is signed with a key its issuer's key set does not list.");
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) {
    return catalogError('OidcSignatureInvalid', "The ID token's signature does not verify.");
  }
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported) {
    return catalogError('OidcAlgorithmRefused', "The ID token's signing algorithm is refused.");
  }
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) {
    return catalogError('OidcTokenMalformed', 'The ID token is not a well-formed JWT.');
  }
  // A key set that timed out, answered garbage or could not be reached: fail closed.
  return catalogError(
    'OidcKeysUnavailable',
    "The issuer's signing keys could not be fetched or read; nothing was published. Try again later.",
  );
}
