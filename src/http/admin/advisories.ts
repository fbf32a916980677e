// POST /-/gatehouse/v1/admin/advisories: an administrator posts one OSV record or a list (the same
// records `gatehouse advisories import` reads from files) and gets the import's summary back,
// with each skipped record's index and reason. For fleets whose operators reach no database.
import type { FastifyInstance } from 'fastify';
import type { Registry } from '../../registry.js';

/** A few thousand records a request; a whole archive goes through the command instead. */
const ADVISORIES_BODY = 16 * 1024 * 1024;

export function registerAdvisoryAdminRoutes(app: FastifyInstance, registry: Registry): void {
  app.post('/-/gatehouse/v1/admin/advisories', { bodyLimit: ADVISORIES_BODY }, async (request) =>
    registry.advisories.importBody(request.context, request.body),
  );
}
