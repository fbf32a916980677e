// A local OIDC issuer on 127.0.0.1 with real keys, speaking what a CI's issuer speaks: OpenID
// discovery (/.well-known/openid-configuration), its key set (/.well-known/jwks), and GitHub
// Actions' ID-token request (GET /actions-token?audience=… with the runner's request token,
// answering {"value": "<jwt>"}, as ACTIONS_ID_TOKEN_REQUEST_URL does). Tests mint tokens with any
// claims, rotate keys, and make the key set hang or answer garbage.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type CryptoKey } from 'jose';

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

export interface OidcIssuer {
  /** The issuer URL (the `iss` of its tokens), also where discovery lives. */
  url: string;
  /** Where a GitHub-Actions-shaped runner asks for its token (ACTIONS_ID_TOKEN_REQUEST_URL). */
  actionsRequestUrl: string;
  /** The runner's ACTIONS_ID_TOKEN_REQUEST_TOKEN; other values are refused. */
  actionsRequestToken: string;
  /** Claims the Actions endpoint puts into the tokens it mints (plus iss, aud, iat, exp, jti). */
  actionsClaims: Record<string, unknown>;
  /** How the Actions endpoint signs (e.g. `{ at: <an hour ago> }` for a token already expired). */
  actionsSignOptions: { at?: number; lifetimeSeconds?: number };
  /** Tokens the Actions endpoint handed out, newest last. */
  minted: string[];
  /** 'ok' serves the keys; 'hang' never answers; 'garbage' answers 200 with something not a key set. */
  jwksMode: 'ok' | 'hang' | 'garbage';
  /** How often the key set was fetched. */
  jwksFetches: number;
  /** Signs a token with the current key (or `key`), filling iss/iat/exp/jti unless given. */
  sign(claims: Record<string, unknown>, opts?: { key?: SigningKey; lifetimeSeconds?: number; at?: number }): Promise<string>;
  /** A new key that becomes current and is published; `keep` leaves the old ones listed. */
  rotate(keep?: boolean): Promise<SigningKey>;
  /** A key this issuer never publishes. */
  unlistedKey(): Promise<SigningKey>;
  current(): SigningKey;
  close(): Promise<void>;
}

async function newKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const kid = randomUUID();
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

/** GitHub-Actions-shaped claims for a run of `repository`'s `workflow` (https://docs.github.com, "About security hardening with OpenID Connect"). */
export function githubClaims(repository: string, workflow: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    sub: `repo:${repository}:ref:refs/heads/main`,
    repository,
    repository_id: '690001',
    repository_owner: repository.split('/')[0],
    repository_owner_id: '4242',
    repository_visibility: 'private',
    workflow_ref: `${repository}/.github/workflows/${workflow}@refs/heads/main`,
    job_workflow_ref: `${repository}/.github/workflows/${workflow}@refs/heads/main`,
    ref: 'refs/heads/main',
    sha: 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3',
    event_name: 'push',
    runner_environment: 'github-hosted',
    ...extra,
  };
}

export async function startOidcIssuer(): Promise<OidcIssuer> {
  let keys: SigningKey[] = [await newKey()];
  const hanging = new Set<ServerResponse>();
  const issuer: OidcIssuer = {
    url: '',
    actionsRequestUrl: '',
    actionsRequestToken: `runner-${randomUUID()}`,
    actionsClaims: {},
    actionsSignOptions: {},
    minted: [],
    jwksMode: 'ok',
    jwksFetches: 0,
    current: () => keys[keys.length - 1]!,
    async sign(claims, opts = {}) {
      const key = opts.key ?? issuer.current();
      const at = Math.floor((opts.at ?? Date.now()) / 1000);
      const payload = {
        iss: issuer.url,
        iat: at,
        nbf: at,
        exp: at + (opts.lifetimeSeconds ?? 300),
        jti: randomUUID(),
        ...claims,
      };
      return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' }).sign(key.privateKey);
    },
    async rotate(keep = false) {
      const key = await newKey();
      keys = keep ? [...keys, key] : [key];
      return key;
    },
    unlistedKey: () => newKey(),
    close: async () => {
      for (const response of hanging) response.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const json = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', issuer.url);
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(response, 200, {
        issuer: issuer.url,
        jwks_uri: `${issuer.url}/.well-known/jwks`,
        subject_types_supported: ['public'],
        response_types_supported: ['id_token'],
        id_token_signing_alg_values_supported: ['RS256'],
      });
    }
    if (url.pathname === '/.well-known/jwks') {
      issuer.jwksFetches++;
      if (issuer.jwksMode === 'hang') return void hanging.add(response);
      if (issuer.jwksMode === 'garbage') return json(response, 200, { keys: 'not a key list', hello: [1, 2] });
      return json(response, 200, { keys: keys.map((k) => k.jwk) });
    }
    if (url.pathname === '/actions-token') {
      if (request.headers.authorization !== `Bearer ${issuer.actionsRequestToken}`)
        return json(response, 401, { message: 'bad request token' });
      const audience = url.searchParams.get('audience');
      void issuer.sign({ ...issuer.actionsClaims, ...(audience && { aud: audience }) }, issuer.actionsSignOptions).then((jwt) => {
        issuer.minted.push(jwt);
        json(response, 200, { count: 1, value: jwt });
      });
      return;
    }
    json(response, 404, { message: 'not here' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  issuer.url = `http://127.0.0.1:${port}`;
  issuer.actionsRequestUrl = `${issuer.url}/actions-token?api-version=2.0`;
  return issuer;
}
