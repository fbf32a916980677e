// Some page addresses are also npm addresses: `/search` is the packument of a package named
// "search", `/package/-/package-1.0.0.tgz` a tarball of "package", `/policies/unpublish` a version
// of "policies". Browsers ask for text/html and npm clients never do, so routes marked PAGE_ONLY
// answer only requests that accept HTML; every other request falls through to the npm routes.
import type { FastifyInstance } from 'fastify';

const STRATEGY = 'webPage';

/** Route option: `{ constraints: PAGE_ONLY }`. */
export const PAGE_ONLY = { [STRATEGY]: 'html' } as const;

export function registerPageNegotiation(app: FastifyInstance): void {
  if (app.hasConstraintStrategy(STRATEGY)) return;
  app.addConstraintStrategy({
    name: STRATEGY,
    // Routes without the constraint still match every request.
    mustMatchWhenDerived: false,
    storage() {
      const handlers = new Map<unknown, unknown>();
      return {
        get: (value: unknown) => (handlers.get(value) ?? null) as never,
        set: (value: unknown, handler: unknown) => void handlers.set(value, handler),
      };
    },
    // Runs for every request once a route uses it: one header read, nothing else.
    deriveConstraint: (request) => (request.headers.accept?.includes('text/html') ? 'html' : 'other'),
  });
}
