// `npm token create`: POST /-/npm/v1/tokens (domain/tokens/granular.ts decides), answered with the
// token object npm prints, its secret in `token` this once.
// `npm token list`: GET /-/npm/v1/tokens in the shape npm-profile pages through (objects, total,
// urls.next), and `npm token revoke`: DELETE /-/npm/v1/tokens/token/<key>. The name says which tokens are session tokens from `npm login` (they expire) and
// which were made for automation, since npm prints the name and not the expiry. Never returns a
// token's secret: `token` is the display prefix, `key` a stable id derived from the row id.
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Registry } from '../../registry.js';
import type { TokenRecord } from '../../domain/tokens/store.js';
import { isReadOnly } from '../../domain/tokens/scopes.js';
import { fail } from '../../domain/errors.js';

/** npm matches `npm token revoke <id>` by key prefix, so keys must not be prefixes of each other (ids are). */
export function tokenKey(token: Pick<TokenRecord, 'id'>): string {
  return createHash('sha256').update(`gatehouse token ${token.id}`).digest('hex');
}

// npm prints a token's name but no last use, so the name carries it (its --json output has last_used too).
function tokenName(token: TokenRecord): string {
  const name =
    token.kind === 'session'
      ? `session token (npm login), expires ${token.expiresAt ?? 'never'}`
      : token.name || 'automation token';
  return token.lastUsedAt ? `${name}, last used ${token.lastUsedAt} from ${token.lastUsedIp ?? 'unknown'}` : name;
}

/** A token as npm's answers carry it; `last_used` (and its address) is ours, which `npm token list --json` shows. */
export function tokenObject(t: TokenRecord) {
  return {
    key: tokenKey(t),
    token: t.display,
    name: tokenName(t),
    created: t.createdAt,
    updated: t.lastUsedAt ?? t.createdAt,
    readonly: isReadOnly(t),
    cidr_whitelist: t.cidrs,
    expires: t.expiresAt,
    kind: t.kind,
    permissions: t.scopes,
    packages: t.packages,
    bypass_2fa: t.bypass2fa,
    last_used: t.lastUsedAt,
    last_used_ip: t.lastUsedIp,
  };
}

export function registerTokenRoutes(app: FastifyInstance, registry: Registry): void {
  app.get('/-/npm/v1/tokens', async (request, reply) => {
    const tokens = await registry.tokens.listOwn(request.context);
    const objects = tokens.map(tokenObject);
    // npm dereferences urls.next: `urls` must be present even when there is no next page.
    return reply.header('cache-control', 'no-store').send({ objects, total: objects.length, urls: {} });
  });

  app.post('/-/npm/v1/tokens', async (request, reply) => {
    const { secret, record } = await registry.granularTokens.create(request.context, request.body);
    return reply.header('cache-control', 'no-store').send({ ...tokenObject(record), token: secret });
  });

  // npm resolved the id the user typed to a key from the list above (lib/commands/token.js rm).
  app.delete<{ Params: { key: string } }>('/-/npm/v1/tokens/token/:key', async (request) => {
    const mine = await registry.tokens.listOwn(request.context);
    const token = mine.find((t) => tokenKey(t) === request.params.key);
    if (!token || !(await registry.tokens.revokeOwn(request.context, token.id))) {
      fail('TokenNotFound', 'No live token of yours has this key; run `npm token list`.');
    }
    return {};
  });
}
