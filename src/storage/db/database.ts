// Opens the metadata database for either engine and brings its schema up to date. Nothing
// outside storage/ knows which engine is in use.
import { Kysely, Migrator, type Migration, type MigrationProvider } from 'kysely';
import { join } from 'node:path';
import type { Engine } from './engine.js';
import type { DB } from './schema.js';
import { sqliteDialect } from './sqlite/dialect.js';
import { postgresDialect } from './postgres/dialect.js';
import * as initial from './migrations/001-initial.js';
import * as readmeHtml from './migrations/002-readme-html.js';
import * as webLoginRequests from './migrations/003-web-login-requests.js';
import * as downloads from './migrations/004-downloads.js';
import * as packageVisibility from './migrations/005-package-visibility.js';
import * as securityFoundation from './migrations/006-security-foundation.js';
import * as mailAndSignup from './migrations/007-mail-and-signup.js';
import * as mfa from './migrations/008-mfa.js';
import * as webSessions from './migrations/009-web-sessions.js';
import * as guessGuard from './migrations/010-guess-guard.js';
import * as emailDomains from './migrations/011-email-domains.js';
import * as recovery from './migrations/012-recovery.js';
import * as webauthn from './migrations/013-webauthn.js';
import * as granularTokens from './migrations/014-granular-tokens.js';
import * as orgsTeams from './migrations/015-orgs-teams.js';
import * as trustedPublishers from './migrations/016-trusted-publishers.js';
import * as signingKeys from './migrations/017-signing-keys.js';
import * as sessionPasswordChange from './migrations/018-session-password-change.js';
import * as keyWrites from './migrations/019-key-writes.js';
import * as reports from './migrations/020-reports.js';
import * as transparencyLog from './migrations/024-transparency-log.js';
import * as stagedPublishing from './migrations/025-staged-publishing.js';
import * as nameClaims from './migrations/021-name-claims.js';
import * as malwareScanning from './migrations/022-malware-scanning.js';
import * as advisories from './migrations/023-advisories.js';
import * as attestations from './migrations/027-attestations.js';
import * as quarantineAndAuditIndex from './migrations/029-quarantine-and-audit-index.js';

export interface Database {
  db: Kysely<DB>;
  engine: Engine;
}

export function engineOf(databaseUrl: string): Engine {
  return /^postgres(ql)?:\/\//.test(databaseUrl) ? 'postgres' : 'sqlite';
}

export async function openDatabase(opts: { databaseUrl: string; dataDir: string }): Promise<Database> {
  const engine = engineOf(opts.databaseUrl);
  const db = new Kysely<DB>({ dialect: dialectFor(opts) });
  await migrate(db, engine);
  return { db, engine };
}

class Migrations implements MigrationProvider {
  constructor(private readonly engine: Engine) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    const engine = this.engine;
    return {
      '001-initial': { up: (db) => initial.up(db, engine) },
      '002-readme-html': { up: (db) => readmeHtml.up(db) },
      '003-web-login-requests': { up: (db) => webLoginRequests.up(db) },
      '004-downloads': { up: (db) => downloads.up(db) },
      '005-package-visibility': { up: (db) => packageVisibility.up(db) },
      '006-security-foundation': { up: (db) => securityFoundation.up(db, engine) },
      '007-mail-and-signup': { up: (db) => mailAndSignup.up(db) },
      '008-mfa': { up: (db) => mfa.up(db) },
      '009-web-sessions': { up: (db) => webSessions.up(db) },
      '010-guess-guard': { up: (db) => guessGuard.up(db) },
      '011-email-domains': { up: (db) => emailDomains.up(db) },
      '012-recovery': { up: (db) => recovery.up(db) },
      '013-webauthn': { up: (db) => webauthn.up(db) },
      '014-granular-tokens': { up: (db) => granularTokens.up(db) },
      '015-orgs-teams': { up: (db) => orgsTeams.up(db) },
      '016-trusted-publishers': { up: (db) => trustedPublishers.up(db) },
      '017-signing-keys': { up: (db) => signingKeys.up(db) },
      '018-session-password-change': { up: (db) => sessionPasswordChange.up(db) },
      '019-key-writes': { up: (db) => keyWrites.up(db) },
      '020-reports': { up: (db) => reports.up(db, engine) },
      '024-transparency-log': { up: (db) => transparencyLog.up(db) },
      '025-staged-publishing': { up: (db) => stagedPublishing.up(db) },
      '021-name-claims': { up: (db) => nameClaims.up(db) },
      '022-malware-scanning': { up: (db) => malwareScanning.up(db) },
      '023-advisories': { up: (db) => advisories.up(db, engine) },
      '027-attestations': { up: (db) => attestations.up(db) },
      '029-quarantine-and-audit-index': { up: (db) => quarantineAndAuditIndex.up(db) },
    };
  }
}

/**
 * Brings the schema up to `target` (a migration's name), or to the latest. Only tests name a
 * target: to build a database as an older release left it, then upgrade it.
 */
export async function migrate(db: Kysely<DB>, engine: Engine, target?: string): Promise<void> {
  const migrator = new Migrator({ db, provider: new Migrations(engine) });
  const { error } = target === undefined ? await migrator.migrateToLatest() : await migrator.migrateTo(target);
  if (error) throw error;
}

/** The dialect openDatabase would use, for a test that migrates step by step itself. */
export function dialectFor(opts: { databaseUrl: string; dataDir: string }) {
  return engineOf(opts.databaseUrl) === 'postgres'
    ? postgresDialect(opts.databaseUrl)
    : sqliteDialect(join(opts.dataDir, 'gatehouse.sqlite'));
}
