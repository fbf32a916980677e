// The layering rules in eslint.config.js, checked against the real config: an import across a layer
// boundary fails lint, and the imports each layer legitimately makes still pass. No file is written;
// ESLint lints the text as if it sat at the given path.
import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname });

/** The rule ids that fire on `source` placed at `path` (relative to the repository root). */
async function violations(path: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${source}\nexport type Used = unknown;\n`, { filePath: path });
  return result!.messages.map((m) => m.ruleId ?? m.message);
}

const RESTRICTED = 'no-restricted-imports';

describe('layering lint rules', () => {
  const refused: [string, string][] = [
    ['src/domain/packages/x.ts', "import { openDatabase } from '../../storage/db/database.js';"],
    ['src/domain/packages/x.ts', "import { buildApp } from '../../http/app.js';"],
    ['src/domain/packages/x.ts', "import { serve } from '../../cli/serve.js';"],
    ['src/domain/x.ts', "import type { Config } from '../config.js';"],
    ['src/domain/x.ts', "import type { Registry } from '../registry.js';"],
    ['src/domain/x.ts', "export { loadConfig } from '../config.js';"],
    ['src/domain/x.ts', "import type { Kysely } from 'kysely';"],
    ['src/domain/x.ts', "import type { FastifyInstance } from 'fastify';"],
    ['src/storage/db/x.ts', "import { buildApp } from '../../http/app.js';"],
    ['src/storage/db/x.ts', "import { openRegistry } from '../../registry.js';"],
    ['src/http/npm/x.ts', "import { createDbStore } from '../../storage/db/store.js';"],
    ['src/http/x.ts', "import { FsBlobStore } from '../storage/blobs/fs/store.js';"],
    ['src/http/x.ts', "import { sql } from 'kysely';"],
    ['src/http/x.ts', "import type { OpenedRegistry } from '../registry.js';"],
    // Adapters of outside services: wired only by the composition root, and they reach nothing but the domain.
    ['src/domain/packages/x.ts', "import { S3BlobStore } from '../../adapters/s3/store.js';"],
    ['src/domain/x.ts', "import type { Mailer } from '../adapters/mail/smtp.js';"],
    ['src/http/npm/x.ts', "import { RedisLimits } from '../../adapters/redis/limits.js';"],
    ['src/storage/db/x.ts', "import { RedisLimits } from '../../adapters/redis/limits.js';"],
    ['src/cli/x.ts', "import { SmtpMailer } from '../adapters/mail/smtp.js';"],
    ['src/adapters/redis/x.ts', "import { buildApp } from '../../http/app.js';"],
    ['src/adapters/s3/x.ts', "import { FsBlobStore } from '../../storage/blobs/fs/store.js';"],
    ['src/adapters/mail/x.ts', "import { main } from '../../cli/main.js';"],
    ['src/adapters/mail/x.ts', "import type { Config } from '../../config.js';"],
    ['src/adapters/mail/x.ts', "import { openRegistry } from '../../registry.js';"],
    ['src/adapters/x.ts', "import type { Kysely } from 'kysely';"],
    ['src/adapters/x.ts', "import type { FastifyInstance } from 'fastify';"],
    // The client commands run without the server: the domain only.
    ['src/client/x.ts', "import { openRegistry } from '../registry.js';"],
    ['src/client/x.ts', "import type { Config } from '../config.js';"],
    ['src/client/install/x.ts', "import { buildApp } from '../../http/app.js';"],
    ['src/client/install/x.ts', "import { openDatabase } from '../../storage/db/database.js';"],
    ['src/client/x.ts', "import { serve } from '../cli/serve.js';"],
    ['src/client/x.ts', "import Database from 'better-sqlite3';"],
  ];
  for (const [path, source] of refused) {
    it(`refuses in ${path}: ${source}`, async () => {
      expect(await violations(path, source)).toContain(RESTRICTED);
    });
  }

  const allowed: [string, string][] = [
    ['src/domain/packages/x.ts', "import type { Store } from '../store.js';"],
    ['src/domain/packages/x.ts', "import type { User } from '../accounts/store.js';"],
    ['src/storage/db/x.ts', "import type { Kysely } from 'kysely';"],
    ['src/storage/db/x.ts', "import type { UserStore } from '../../domain/accounts/store.js';"],
    ['src/http/x.ts', "import type { Registry } from '../registry.js';"],
    ['src/http/x.ts', "import type { Config } from '../config.js';"],
    ['src/cli/x.ts', "import { openRegistry } from '../registry.js';"],
    ['src/registry.ts', "import { SmtpMailer } from './adapters/mail/smtp.js';"],
    ['src/adapters/s3/x.ts', "import type { BlobStore } from '../../domain/packages/blobs.js';"],
    ['src/adapters/s3/x.ts', "import { fail } from '../../domain/errors.js';"],
    ['src/adapters/s3/x.ts', "import { S3Client } from '@aws-sdk/client-s3';"],
    ['src/adapters/redis/x.ts', "import { Redis } from 'ioredis';"],
    ['src/adapters/mail/x.ts', "import { quote } from '../shared/quote.js';"],
    ['src/client/install/x.ts', "import { RegistryClient } from '../registry-client.js';"],
    ['src/client/x.ts', "import { isAffected } from '../domain/advisories/ranges.js';"],
  ];
  for (const [path, source] of allowed) {
    it(`allows in ${path}: ${source}`, async () => {
      expect(await violations(path, source)).not.toContain(RESTRICTED);
    });
  }
});
