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
  ];
  for (const [path, source] of allowed) {
    it(`allows in ${path}: ${source}`, async () => {
      expect(await violations(path, source)).not.toContain(RESTRICTED);
    });
  }
});
