// POST /-/secret-scanning/github: GitHub's secret scanning partner program reports leaked tokens
// here (docs/secret-scanning.md). Anonymous by design: the ECDSA signature over the raw body is the
// authentication, so the body is kept as bytes (a parsed and re-serialised body would not verify).
import type { FastifyInstance } from 'fastify';
import type { Registry } from '../../registry.js';

export function registerSecretScanningRoutes(app: FastifyInstance, registry: Registry): void {
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    scope.post('/-/secret-scanning/github', { config: { anonymousWrite: true } }, async (request) => {
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const header = (name: string) => {
        const value = request.headers[name];
        return typeof value === 'string' ? value : undefined;
      };
      return registry.secretScanning.report(body, header('github-public-key-identifier'), header('github-public-key-signature'));
    });
  });
}
