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

function tokenName(token: TokenRecord): string {
  return token.kind === 'session' ? `session token (npm login), expires ${token.expiresAt ?? 'never'}` : 'automation token';
}

export function registerTokenRoutes(app: FastifyInstance, registry: Registry): void {
  app.get('/-/npm/v1/tokens', async (request, reply) => {
    const tokens = await registry.tokens.listOwn(request.context);
    const objects = tokens.map((t) => ({
      key: tokenKey(t),
      token: t.display,
      name: tokenName(t),
      created: t.createdAt,
      updated: t.createdAt,
      readonly: isReadOnly(t),
      cidr_whitelist: null,
      expires: t.expiresAt,
      kind: t.kind,
    }));
    // npm dereferences urls.next: `urls` must be present even when there is no next page.
    return reply.header('cache-control', 'no-store').send({ objects, total: objects.length, urls: {} });
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
