// Property tests of the OIDC ID-token verifier (domain/trust/id-token.ts), which reads a CI's
// token before anything else about a trusted publish: random strings, random JWT-shaped tokens
// with random headers and claims, and one-character changes to a genuine token signed by a local
// issuer are all refused with an Oidc* catalog code; only the genuine token's exact bytes pass.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatehouseError } from '../../src/domain/errors.js';
import { IdTokenVerifier } from '../../src/domain/trust/id-token.js';
import { ManualClock } from '../../src/domain/clock.js';
import { startOidcIssuer, type OidcIssuer } from '../support/oidc-issuer.js';
import { fuzzParameters } from '../support/fuzz.js';

const AUDIENCE = 'npm:registry.test';
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** The catalog code the verifier refused with; anything but a catalog error fails the property. */
async function refusal(verifier: IdTokenVerifier, jwt: string): Promise<string> {
  try {
    await verifier.verify(jwt, [AUDIENCE]);
    return 'accepted';
  } catch (err) {
    if (!(err instanceof GatehouseError)) throw err;
    expect(err.code).toMatch(/^Oidc/);
    return err.code;
  }
}

/** The three parts decoded, so a change that decodes to the same bytes (base64url's spare bits) counts as none. */
const decoded = (jwt: string) => jwt.split('.').map((part) => Buffer.from(part, 'base64url').toString('hex'));

describe('OIDC ID tokens under random input', () => {
  let issuer: OidcIssuer;
  let verifier: IdTokenVerifier;
  let genuine: string;

  beforeAll(async () => {
    issuer = await startOidcIssuer();
    const clock = new ManualClock(Date.now());
    verifier = new IdTokenVerifier(
      {
        github: issuer.url,
        gitlab: 'https://gitlab.invalid',
        circleci: 'https://circleci.invalid/org',
        custom: [],
        skewSeconds: 60,
        fetchTimeoutMs: 2000,
        keysCooldownMs: 30_000,
      },
      clock,
    );
    genuine = await issuer.sign({ aud: AUDIENCE, sub: 'repo:acme/app:ref:refs/heads/main', repository: 'acme/app' });
    expect(await refusal(verifier, genuine)).toBe('accepted');
  });
  afterAll(() => issuer.close());

  it('refuses random strings and random three-part tokens with an Oidc code', async () => {
    const part = fc.string({ unit: fc.constantFrom(...B64URL.split('')), maxLength: 60 });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.tuple(part, part, part).map((p) => p.join('.')),
        ),
        async (jwt) => {
          expect(await refusal(verifier, jwt)).not.toBe('accepted');
        },
      ),
      fuzzParameters(500),
    );
  });

  it('refuses tokens with random headers and claims, this issuer named or not, signature copied from a genuine one', async () => {
    const header = fc.record(
      {
        alg: fc.constantFrom('RS256', 'none', 'HS256', 'ES256', 'EdDSA', ''),
        kid: fc.option(fc.string({ maxLength: 40 })),
        typ: fc.constant('JWT'),
      },
      { requiredKeys: ['alg'] },
    );
    const claims = fc.record(
      {
        iss: fc.oneof(fc.constant('ISSUER'), fc.webUrl(), fc.string({ maxLength: 20 })),
        aud: fc.oneof(fc.constant(AUDIENCE), fc.string({ maxLength: 20 }), fc.array(fc.string({ maxLength: 10 }))),
        exp: fc.oneof(fc.integer(), fc.string({ maxLength: 5 })),
        iat: fc.oneof(fc.integer(), fc.constant(null)),
        jti: fc.oneof(fc.uuid(), fc.string({ maxLength: 300 })),
        extra: fc.jsonValue({ maxDepth: 2 }),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(header, claims, async (h, c) => {
        const payload = { ...c, ...(c.iss === 'ISSUER' && { iss: issuer.url }) };
        const signature = genuine.split('.')[2]!;
        expect(await refusal(verifier, `${b64(h)}.${b64(payload)}.${signature}`)).not.toBe('accepted');
      }),
      fuzzParameters(300),
    );
  });

  it('refuses every change to a genuine token that changes its bytes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            at: fc.nat(),
            char: fc.constantFrom(...`${B64URL}.=`.split('')),
            op: fc.constantFrom('replace', 'insert', 'delete'),
          }),
          { minLength: 1, maxLength: 3 },
        ),
        async (changes) => {
          let jwt = genuine;
          for (const { at, char, op } of changes) {
            const i = at % jwt.length;
            jwt =
              op === 'replace'
                ? jwt.slice(0, i) + char + jwt.slice(i + 1)
                : op === 'insert'
                  ? jwt.slice(0, i) + char + jwt.slice(i)
                  : jwt.slice(0, i) + jwt.slice(i + 1);
          }
          const outcome = await refusal(verifier, jwt);
          if (outcome === 'accepted') expect(decoded(jwt)).toEqual(decoded(genuine));
        },
      ),
      fuzzParameters(300),
    );
  });
});
