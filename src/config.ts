// The one typed configuration object. Every setting has a default, a comment and an environment
// name; a config file (JSON) may set any of them, and GATEHOUSE_* variables override the file.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export interface Config {
  /** Interface to bind. GATEHOUSE_HOST */
  host: string;
  /** Port to bind; 0 picks a free one. GATEHOUSE_PORT */
  port: number;
  /** Folder for the SQLite file, blobs and mail. GATEHOUSE_DATA_DIR */
  dataDir: string;
  /** postgres://… to use PostgreSQL; empty means SQLite in dataDir. GATEHOUSE_DATABASE_URL */
  databaseUrl: string;
  /** Base URL clients reach us at (tarball URLs, login links); defaults to http://host:port. GATEHOUSE_PUBLIC_URL */
  publicUrl: string;
  /** Largest request body accepted, in bytes (a publish carries its tarball base64-encoded). GATEHOUSE_MAX_BODY_BYTES */
  maxBodyBytes: number;
  /** Largest unpacked size of one tarball. GATEHOUSE_MAX_UNPACKED_BYTES */
  maxUnpackedBytes: number;
  /** Most files in one tarball. GATEHOUSE_MAX_FILE_COUNT */
  maxFileCount: number;
  /** Deepest path inside a tarball. GATEHOUSE_MAX_PATH_DEPTH */
  maxPathDepth: number;
  /** Hours after publish during which a maintainer may unpublish a version. GATEHOUSE_UNPUBLISH_WINDOW_HOURS */
  unpublishWindowHours: number;
  /** How often each instance looks for changes made by other instances, in ms. GATEHOUSE_EVENT_POLL_MS */
  eventPollMs: number;
  /**
   * Memory kept for answering reads without a query: ready packuments (two thirds) and small
   * tarballs (one third), in bytes. More makes a large registry's reads faster. GATEHOUSE_READ_CACHE_BYTES
   */
  readCacheBytes: number;
  /**
   * Password hashes (logins, sign-ins, user creation) running at once in this process, at least 1.
   * Each is a 16 MiB scrypt on one of libuv's four threads, which tarball reads also need; a few
   * more wait their turn and the rest are refused with 429. GATEHOUSE_PASSWORD_HASH_CONCURRENCY
   */
  passwordHashConcurrency: number;
  /** Unfinished web logins (`npm login`) one client address may hold open. GATEHOUSE_PENDING_WEB_LOGINS_PER_IP */
  pendingWebLoginsPerIp: number;
  /** pino level: fatal, error, warn, info, debug, trace, silent. GATEHOUSE_LOG_LEVEL */
  logLevel: string;
}

export const DEFAULTS: Config = {
  host: '127.0.0.1',
  port: 4873,
  dataDir: './.gatehouse',
  databaseUrl: '',
  publicUrl: '',
  maxBodyBytes: 50 * 1024 * 1024,
  maxUnpackedBytes: 256 * 1024 * 1024,
  maxFileCount: 20_000,
  maxPathDepth: 32,
  unpublishWindowHours: 72,
  eventPollMs: 1000,
  readCacheBytes: 48 * 1024 * 1024,
  passwordHashConcurrency: 2,
  pendingWebLoginsPerIp: 10,
  logLevel: 'info',
};

const ENV_NAMES: { [K in keyof Config]: string } = {
  host: 'GATEHOUSE_HOST',
  port: 'GATEHOUSE_PORT',
  dataDir: 'GATEHOUSE_DATA_DIR',
  databaseUrl: 'GATEHOUSE_DATABASE_URL',
  publicUrl: 'GATEHOUSE_PUBLIC_URL',
  maxBodyBytes: 'GATEHOUSE_MAX_BODY_BYTES',
  maxUnpackedBytes: 'GATEHOUSE_MAX_UNPACKED_BYTES',
  maxFileCount: 'GATEHOUSE_MAX_FILE_COUNT',
  maxPathDepth: 'GATEHOUSE_MAX_PATH_DEPTH',
  unpublishWindowHours: 'GATEHOUSE_UNPUBLISH_WINDOW_HOURS',
  eventPollMs: 'GATEHOUSE_EVENT_POLL_MS',
  readCacheBytes: 'GATEHOUSE_READ_CACHE_BYTES',
  passwordHashConcurrency: 'GATEHOUSE_PASSWORD_HASH_CONCURRENCY',
  pendingWebLoginsPerIp: 'GATEHOUSE_PENDING_WEB_LOGINS_PER_IP',
  logLevel: 'GATEHOUSE_LOG_LEVEL',
};

export class ConfigError extends Error {}

/** Layers: defaults < config file < environment < explicit overrides (command-line flags). */
export function loadConfig(opts: { file?: string; env?: NodeJS.ProcessEnv; overrides?: Partial<Config> } = {}): Config {
  const env = opts.env ?? process.env;
  const file = opts.file ?? env.GATEHOUSE_CONFIG;
  const fromFile = file ? readConfigFile(file) : {};
  const fromEnv: Partial<Record<keyof Config, unknown>> = {};
  for (const key of Object.keys(ENV_NAMES) as (keyof Config)[]) {
    const value = env[ENV_NAMES[key]];
    if (value !== undefined && value !== '') fromEnv[key] = value;
  }
  const merged = { ...DEFAULTS, ...fromFile, ...fromEnv, ...stripUndefined(opts.overrides ?? {}) };
  return normalise(merged);
}

function readConfigFile(file: string): Partial<Config> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`Cannot read config file ${file}: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`Config file ${file} must hold a JSON object.`);
  }
  for (const key of Object.keys(parsed)) {
    if (!(key in DEFAULTS)) throw new ConfigError(`Config file ${file}: unknown setting "${key}".`);
  }
  return parsed as Partial<Config>;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function normalise(raw: Record<keyof Config, unknown>): Config {
  const config = { ...raw } as Record<string, unknown>;
  for (const key of Object.keys(DEFAULTS) as (keyof Config)[]) {
    if (typeof DEFAULTS[key] === 'number') {
      const n = Number(raw[key]);
      if (!Number.isFinite(n) || n < 0) throw new ConfigError(`${key} (${ENV_NAMES[key]}) must be a non-negative number.`);
      config[key] = n;
    } else {
      config[key] = String(raw[key]);
    }
  }
  const result = config as unknown as Config;
  result.dataDir = resolve(result.dataDir);
  result.publicUrl = result.publicUrl.replace(/\/+$/, '');
  return result;
}
