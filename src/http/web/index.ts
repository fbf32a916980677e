// The web UI's routes. Pages are rendered on the server; the only static asset is the stylesheet.
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Registry } from '../../registry.js';
import { registerLoginPages } from './login.js';

const STYLESHEET = readFileSync(new URL('../../../static/style.css', import.meta.url));

export function registerWebRoutes(app: FastifyInstance, registry: Registry): void {
  app.get('/static/style.css', async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(STYLESHEET),
  );
  registerLoginPages(app, registry);
}
