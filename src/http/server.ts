// The Node HTTP server under Fastify: the read fast path first, then the app, with the limits
// that keep slow or numerous clients from holding the registry's connections (see README for
// why each default). Must never leave a limit at Node's default of "wait five minutes".
import { createServer, type RequestListener, type Server } from 'node:http';
import type { Config } from '../config.js';
import type { FastReads } from './fast-reads.js';

export function createRegistryServer(config: Config, fast: FastReads, app: RequestListener): Server {
  // Node refuses a headers timeout longer than the request timeout; 0 means "no limit".
  const requestTimeout = config.requestTimeoutMs;
  const headersTimeout = requestTimeout > 0 ? Math.min(config.headersTimeoutMs, requestTimeout) : config.headersTimeoutMs;
  const server = createServer(
    {
      headersTimeout,
      requestTimeout,
      keepAliveTimeout: config.keepAliveTimeoutMs,
      // How often Node checks the two timeouts above: often enough that they hold to within a quarter.
      connectionsCheckingInterval: checkingInterval(headersTimeout, requestTimeout),
    },
    (req, res) => fast.handle(req, res) || app(req, res),
  );
  server.setTimeout(config.idleTimeoutMs);
  if (config.maxConnections > 0) server.maxConnections = config.maxConnections;
  return server;
}

function checkingInterval(headersTimeout: number, requestTimeout: number): number {
  const shortest = Math.min(...[headersTimeout, requestTimeout].filter((t) => t > 0));
  return Number.isFinite(shortest) ? Math.min(5_000, Math.max(50, Math.floor(shortest / 4))) : 30_000;
}
