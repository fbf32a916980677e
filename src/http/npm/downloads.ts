// npm's downloads API: `/-/downloads/point/{period}/{package}` and `/-/downloads/range/…`, with
// `@scope/name` raw or `%2f`-encoded and npm's comma-separated bulk form. Parsing and policy are
// in domain/downloads; this only takes the two segments off the URL.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Registry } from '../../registry.js';
import { fail } from '../../domain/errors.js';
import { splitUrl } from './paths.js';

function segments(request: FastifyRequest, kind: 'point' | 'range'): { period: string; packages: string } {
  // attacker-controlled: taken from the raw URL so that `@scope%2fname` and `@scope/name` agree.
  const rest = splitUrl(request.url).path.slice(`/-/downloads/${kind}/`.length);
  const slash = rest.indexOf('/');
  let period: string;
  let packages: string;
  try {
    period = decodeURIComponent(rest.slice(0, slash));
    packages = decodeURIComponent(rest.slice(slash + 1));
  } catch {
    fail('BadRequest', 'The address is not valid percent-encoding.');
  }
  if (slash <= 0 || packages === '') {
    fail('BadRequest', `Name a period and a package: /-/downloads/${kind}/last-week/<package>.`);
  }
  return { period, packages };
}

export function registerDownloadRoutes(app: FastifyInstance, registry: Registry): void {
  app.get('/-/downloads/point/*', async (request) => {
    const { period, packages } = segments(request, 'point');
    return registry.downloads.point(request.context, packages, period);
  });
  app.get('/-/downloads/range/*', async (request) => {
    const { period, packages } = segments(request, 'range');
    return registry.downloads.range(request.context, packages, period);
  });
}
