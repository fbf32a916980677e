// Binds the Kysely repositories into the domain's Store. Inside `transaction` every repository
// shares one database transaction; a nested call joins the outer one.
import type { Kysely } from 'kysely';
import type { DB } from './schema.js';
import type { Engine } from './engine.js';
import type { Repositories, Store } from '../../domain/store.js';
import { userStore, webLoginStore } from './users.js';
import { tokenStore } from './tokens.js';
import { packageStore } from './packages.js';
import { eventStore } from './events.js';
import { downloadStore } from './downloads.js';
import { jobLeaseStore } from './jobs.js';
import { emailDomainStore } from './email-domains.js';
import { mfaStore } from './mfa.js';
import { mailStore } from './mail.js';
import { verificationStore } from './verifications.js';
import { sessionStore } from './sessions.js';
import { recoveryStore } from './recovery.js';
import { criticalPackageStore } from './critical.js';
import { webAuthnStore } from './webauthn.js';
import { orgStore } from './orgs.js';
import { trustStore } from './trust.js';
import { signingKeyStore } from './signing-keys.js';
import { reportStore } from './reports.js';
import { maliciousAdvisoryStore, securityContactStore } from './malicious.js';
import { auditLogStore } from './audit-log.js';
import { transparencyStore } from './transparency.js';
import { stageStore } from './stages.js';
import { nameStore } from './names.js';
import { scanStore } from './scanning.js';
import { quarantineStore } from './quarantines.js';
import { advisoryStore } from './advisories.js';
import { attestationStore } from './attestations.js';

function repositories(db: Kysely<DB>, engine: Engine): Repositories {
  return {
    users: userStore(db),
    tokens: tokenStore(db),
    packages: packageStore(db, engine),
    events: eventStore(db),
    webLogins: webLoginStore(db, engine),
    downloads: downloadStore(db),
    jobLeases: jobLeaseStore(db),
    emailDomains: emailDomainStore(db, engine),
    mfa: mfaStore(db),
    mail: mailStore(db),
    verifications: verificationStore(db, engine),
    sessions: sessionStore(db),
    recovery: recoveryStore(db),
    critical: criticalPackageStore(db),
    webauthn: webAuthnStore(db),
    orgs: orgStore(db),
    trust: trustStore(db),
    signingKeys: signingKeyStore(db),
    reports: reportStore(db, engine),
    malicious: maliciousAdvisoryStore(db),
    securityContacts: securityContactStore(db),
    auditLog: auditLogStore(db),
    transparency: transparencyStore(db, engine),
    stages: stageStore(db),
    names: nameStore(db),
    scanning: scanStore(db),
    advisories: advisoryStore(db),
    attestations: attestationStore(db),
    quarantines: quarantineStore(db),
  };
}

export function createDbStore(db: Kysely<DB>, engine: Engine): Store {
  return {
    ...repositories(db, engine),
    transaction: (work) => db.transaction().execute((trx) => work(repositories(trx, engine))),
    // PostgreSQL's default (read committed) gives each statement its own snapshot; repeatable read
    // gives the whole transaction one. A SQLite transaction in WAL mode reads one snapshot already.
    snapshot: (work) =>
      (engine === 'postgres' ? db.transaction().setIsolationLevel('repeatable read') : db.transaction()).execute((trx) =>
        work(repositories(trx, engine)),
      ),
    close: () => db.destroy(),
  };
}
