// A whole registry for a test: fresh database on the chosen engine, the real app, optionally
// listening on 127.0.0.1 with a free port for real clients. Users come with ready tokens.
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Config } from '../../src/config.js';
import { openRegistry, type OpenedRegistry, type RegistryDeps } from '../../src/registry.js';
import { buildApp } from '../../src/http/app.js';
import type { User } from '../../src/domain/accounts/store.js';
import { freshDatabase, type TestEngine } from './engines.js';
import type { PackageBuilder, PublishOptions } from '../fixtures/package-builder.js';

export interface TestUser {
  user: User;
  token: string;
  password: string;
}

export interface TestRegistry {
  registry: OpenedRegistry;
  app: FastifyInstance;
  /** http://127.0.0.1:PORT when started with listen, else a placeholder base URL. */
  url: string;
  /** Every route the app registered, as "METHOD /path". */
  routes: readonly string[];
  createUser(name: string, opts?: { admin?: boolean; readonly?: boolean }): Promise<TestUser>;
  inject(opts: InjectOptions): Promise<LightMyRequestResponse>;
  /** PUTs the builder's publish body the way npm does, with this user's token. */
  publish(user: TestUser, builder: PackageBuilder, options?: PublishOptions): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export async function startRegistry(
  engine: TestEngine,
  opts: { listen?: boolean; config?: Partial<Config>; deps?: RegistryDeps } = {},
): Promise<TestRegistry> {
  const database = await freshDatabase(engine, opts.config);
  const registry = await openRegistry(database.config, opts.deps);
  const routes: string[] = [];
  const app = await buildApp(registry, { logger: false, onRoute: (route) => routes.push(route) });
  let url = 'http://registry.test';
  if (opts.listen) {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  }
  registry.setBaseUrl(url);
  return {
    registry,
    app,
    url,
    async createUser(name, userOpts = {}) {
      const password = `pw-${name}-correct-horse`;
      const user = await registry.accounts.createUser({
        name,
        email: `${name}@example.com`,
        password,
        isAdmin: userOpts.admin ?? false,
      });
      const token = await registry.store.transaction(async (tx) => {
        const { secret } = await registry.tokens.create(tx, user, {
          scopes: userOpts.readonly ? ['read'] : undefined,
          reason: 'test',
        });
        return secret;
      });
      return { user, token, password };
    },
    routes,
    inject: (injectOpts) => app.inject(injectOpts),
    publish: (user, builder, options = {}) =>
      app.inject({
        method: 'PUT',
        url: `/${builder.name.replace('/', '%2f')}`,
        headers: { authorization: `Bearer ${user.token}` },
        payload: builder.publishBody(url, options),
      }),
    async close() {
      await app.close();
      await registry.close();
      await database.dispose();
    },
  };
}
