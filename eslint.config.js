// typescript-eslint strict over src and test; plain recommended rules for the .mjs scripts; and the
// layering of src/ as import rules, so a shortcut across layers fails lint instead of review:
// domain imports nothing from http, storage, cli, config or the composition root; storage never
// imports http or cli; http never imports storage or cli (it reaches data through domain calls);
// the client commands (src/client/) import only the domain, so they run without the server;
// adapters of outside services (src/adapters/) implement domain interfaces and are wired only by
// the composition root, so nothing but registry.ts imports them.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// A relative import that climbs out of the folder into another top-level part of src/.
const layer = (...names) => `^(\\.\\./)+(${names.join('|')})(/|\\.js$|$)`;
const databaseDrivers = ['kysely', 'pg', 'better-sqlite3'];
const webFramework = ['fastify', '@fastify/*'];

/** One `files` block per layer: ESLint replaces, not merges, a rule set in two blocks for one file. */
function layerRule(files, forbidden, packages, why, extra = []) {
  return {
    files,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: layer(...forbidden), message: why },
            ...(packages.length > 0 ? [{ group: packages, message: why }] : []),
            ...extra,
          ],
        },
      ],
    },
  };
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.bench/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        fetch: 'readonly',
        AbortController: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        performance: 'readonly',
        Response: 'readonly',
        AbortSignal: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-dynamic-delete': 'off' },
  },
  {
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-control-regex': 'off',
    },
  },
  layerRule(
    ['src/domain/**'],
    ['http', 'storage', 'adapters', 'cli', 'config', 'registry'],
    [...databaseDrivers, ...webFramework],
    'Domain code owns policy and interfaces: it imports nothing from http, storage, adapters, cli, config or registry.ts. ' +
      'Declare what it needs as an interface in the domain (store.ts) or take it as a constructor argument.',
  ),
  layerRule(
    ['src/storage/**'],
    ['http', 'adapters', 'cli', 'registry'],
    webFramework,
    'Storage implements domain interfaces and knows nothing of HTTP, outside services or commands: ' +
      'no imports from http, adapters, cli or registry.ts.',
  ),
  layerRule(
    ['src/adapters/**'],
    ['http', 'storage', 'cli', 'config', 'registry'],
    [...databaseDrivers, ...webFramework],
    'An adapter implements a domain interface over one outside service with its own driver package: ' +
      'it imports only the domain and that driver, never http, storage, cli, config or registry.ts ' +
      '(settings arrive as plain constructor options from the composition root).',
  ),
  layerRule(
    ['src/cli/**'],
    ['adapters'],
    [],
    'Only the composition root (registry.ts) wires adapters; a command opens a registry instead.',
  ),
  layerRule(
    ['src/client/**'],
    ['http', 'storage', 'adapters', 'cli', 'config', 'registry'],
    [...databaseDrivers, ...webFramework],
    'The client (gatehouse install, audit, sbom, …) runs on a developer machine against any npm registry: ' +
      'it imports only pure domain modules, never the server (http, storage, adapters, cli, config, registry.ts) or its drivers.',
  ),
  layerRule(
    ['src/http/**'],
    ['storage', 'adapters', 'cli'],
    databaseDrivers,
    'HTTP is thin: it reaches data only through domain operations, never storage (or the database drivers), adapters or cli.',
    [
      {
        regex: '^(\\.\\./)+registry\\.js$',
        importNames: ['OpenedRegistry'],
        message: 'HTTP is handed a Registry (domain services only); OpenedRegistry carries the store and blobs.',
      },
    ],
  ),
);
