// `gatehouse serve`: runs the registry until SIGTERM/SIGINT, then stops accepting requests,
// lets in-flight ones (publishes included) finish, and closes storage.
import { loadConfig, type Config } from '../config.js';
import { openRegistry } from '../registry.js';
import { buildApp } from '../http/app.js';

export async function serve(overrides: Partial<Config>, configFile: string | undefined): Promise<void> {
  const config = loadConfig({ file: configFile, overrides });
  const registry = await openRegistry(config);
  const app = await buildApp(registry);
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  registry.setBaseUrl(url);
  process.stdout.write(
    `Gatehouse listening on ${url} (data: ${config.dataDir}, database: ${config.databaseUrl ? 'postgres' : 'sqlite'})\n`,
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down: finishing in-flight requests');
    const closing = app.close();
    // Idle keep-alive sockets, and sockets a browser opened in advance without a request, would
    // hold close() open until they time out: close them as they become idle, in-flight ones never.
    const sweep = setInterval(() => app.server.closeIdleConnections(), 100);
    await closing;
    clearInterval(sweep);
    await registry.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
