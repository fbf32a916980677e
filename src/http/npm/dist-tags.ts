// `npm dist-tag ls|add|rm`: /-/package/<name>/dist-tags[/<tag>]. yarn 1 sends the raw scoped
// name for ls and the escaped one for add/rm; takeName accepts both.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Registry } from '../../registry.js';
import { fail } from '../../domain/errors.js';
import { parsePackageName } from '../../domain/packages/names.js';
import { splitUrl, takeName } from './paths.js';

function parse(request: FastifyRequest) {
  const path = splitUrl(request.url).path.slice('/-/package/'.length);
  let segments: string[];
  try {
    segments = path.split('/').map(decodeURIComponent);
  } catch {
    fail('BadRequest', 'The address is not valid URL encoding.');
  }
  const taken = takeName(segments);
  if (!taken || taken.rest[0] !== 'dist-tags' || taken.rest.length > 2) fail('NotFound', 'Not a dist-tags address.');
  return { name: parsePackageName(taken.name), tag: taken.rest[1] };
}

export function registerDistTagRoutes(app: FastifyInstance, registry: Registry): void {
  app.get('/-/package/*', async (request) => {
    const { name } = parse(request);
    return registry.packages.distTags(request.context, name);
  });
  app.put('/-/package/*', async (request) => {
    const { name, tag } = parse(request);
    if (!tag) fail('BadRequest', 'Name the tag: PUT /-/package/<name>/dist-tags/<tag>.');
    await registry.packages.setDistTag(request.context, name, tag, request.body);
    return { ok: true };
  });
  app.delete('/-/package/*', async (request) => {
    const { name, tag } = parse(request);
    if (!tag) fail('BadRequest', 'Name the tag: DELETE /-/package/<name>/dist-tags/<tag>.');
    await registry.packages.removeDistTag(request.context, name, tag);
    return { ok: true };
  });
}
