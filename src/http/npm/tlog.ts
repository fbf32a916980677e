// The transparency log's read side (docs/transparency-log.md), all public: the signed checkpoint
// with witness cosignatures, the log's verifier key, C2SP tlog-tiles hash tiles and entry
// bundles, inclusion and consistency proofs, and the replication feed. Parsing only; the log is
// domain/transparency.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Registry } from '../../registry.js';
import { fail } from '../../domain/errors.js';
import { parseTilePath, TILE_WIDTH } from '../../domain/transparency/tiles.js';
import { FEED_LIMIT } from '../../domain/transparency/service.js';

const TEXT = 'text/plain; charset=utf-8';

// attacker-controlled: a query value is a decimal integer or nothing.
function count(request: FastifyRequest, name: string, fallback?: number): number | undefined {
  const value = (request.query as Record<string, unknown>)[name];
  if (value === undefined || value === '') return fallback;
  if (typeof value !== 'string' || !/^[0-9]{1,15}$/.test(value)) {
    fail('BadRequest', `"${name}" must be a non-negative whole number, given once.`);
  }
  return Number(value);
}

function text(request: FastifyRequest, name: string): string | undefined {
  const value = (request.query as Record<string, unknown>)[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') fail('BadRequest', `"${name}" must be given once, not empty.`);
  return value;
}

const b64 = (hashes: Buffer[]) => hashes.map((h) => h.toString('base64'));

export function registerTransparencyRoutes(app: FastifyInstance, registry: Registry): void {
  const log = registry.transparency;
  app.get('/-/tlog/checkpoint', async (_request, reply) =>
    reply
      .type(TEXT)
      .header('cache-control', 'no-cache')
      .send(await log.checkpoint()),
  );
  app.get('/-/tlog/vkey', async (_request, reply) => reply.type(TEXT).send(`${await log.verifierKey()}\n`));
  app.get('/-/tlog/tile/*', async (request, reply) => {
    const tile = parseTilePath((request.params as { '*': string })['*']);
    if (!tile)
      fail(
        'BadRequest',
        'A tile is tile/<level>/<index>[.p/<width>] or tile/entries/<index>[.p/<width>], as C2SP tlog-tiles spells them.',
      );
    const body = await log.tile(tile);
    if (!body) fail('TlogOutOfRange', 'The log is not that large yet: fetch the checkpoint and ask only for tiles it covers.');
    // A full tile never changes; a partial one is replaced by a wider one as the log grows.
    const cache = tile.width === TILE_WIDTH ? 'public, max-age=31536000, immutable' : 'no-cache';
    return reply.type('application/octet-stream').header('cache-control', cache).send(body);
  });
  app.get('/-/tlog/proof/inclusion', async (request) => {
    const size = count(request, 'size');
    const name = text(request, 'name');
    if (name !== undefined) {
      const version = text(request, 'version') ?? fail('BadRequest', 'Give "version" with "name".');
      const answer = await log.inclusionOfVersion(name, version, size);
      return { leaf: answer.leaf, size: answer.size, entry: answer.entry.toString('utf8'), proof: b64(answer.proof) };
    }
    const leaf = count(request, 'leaf') ?? fail('BadRequest', 'Name a leaf (?leaf=N) or a version (?name=…&version=…).');
    const answer = await log.inclusion(leaf, size);
    return { leaf: answer.leaf, size: answer.size, proof: b64(answer.proof) };
  });
  app.get('/-/tlog/proof/consistency', async (request) => {
    const from = count(request, 'from') ?? fail('BadRequest', 'Give "from", the size of the older tree.');
    const to = count(request, 'to') ?? (await log.size());
    return { from, to, proof: b64(await log.consistency(from, to)) };
  });
  // CouchDB's changes-feed shape, as npm's replicate feed: the leaves after event seq `since`.
  app.get('/-/tlog/feed', async (request) => {
    const since = count(request, 'since', 0)!;
    const limit = count(request, 'limit', FEED_LIMIT)!;
    const entries = await log.feed(since, limit);
    return {
      results: entries.map((e) => ({ seq: e.seq, leaf: e.index, entry: JSON.parse(e.entry.toString('utf8')) as unknown })),
      last_seq: entries.length > 0 ? entries[entries.length - 1]!.seq : since,
    };
  });
}
