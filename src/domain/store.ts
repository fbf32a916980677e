// The storage the domain needs, as interfaces the domain owns. storage/db implements them;
// `transaction` runs its callback with repositories bound to one database transaction, which is
// how every change writes its new state and its event together or not at all.
import type { UserStore } from './accounts/store.js';
import type { TokenStore } from './tokens/store.js';
import type { PackageStore } from './packages/store.js';
import type { EventStore } from './events/store.js';
import type { WebLoginStore } from './accounts/web-login-store.js';
import type { DownloadStore } from './downloads/store.js';
import type { JobLeaseStore } from './jobs/store.js';
import type { EmailDomainStore } from './accounts/email-domains.js';
import type { MfaStore } from './mfa/store.js';
import type { MailStore } from './mail/store.js';
import type { VerificationStore } from './accounts/verification-store.js';
import type { SessionStore } from './sessions/store.js';
import type { RecoveryStore } from './accounts/recovery-store.js';
import type { CriticalPackageStore } from './packages/critical-store.js';
import type { WebAuthnStore } from './webauthn/store.js';
import type { OrgStore } from './orgs/store.js';
import type { TrustStore } from './trust/store.js';
import type { SigningKeyStore } from './signatures/store.js';
import type { ReportStore } from './reports/store.js';
import type { MaliciousAdvisoryStore } from './malicious/store.js';
import type { SecurityContactStore } from './reports/contact-store.js';
import type { AuditLogStore } from './audit-log/store.js';
import type { TransparencyStore } from './transparency/store.js';
import type { StageStore } from './staging/store.js';
import type { NameStore } from './names/store.js';
import type { ScanStore } from './scanning/store.js';
import type { QuarantineStore } from './quarantine/store.js';
import type { AdvisoryStore } from './advisories/store.js';
import type { AttestationStore } from './provenance/store.js';

export interface Repositories {
  users: UserStore;
  tokens: TokenStore;
  packages: PackageStore;
  events: EventStore;
  webLogins: WebLoginStore;
  downloads: DownloadStore;
  jobLeases: JobLeaseStore;
  emailDomains: EmailDomainStore;
  mfa: MfaStore;
  mail: MailStore;
  verifications: VerificationStore;
  sessions: SessionStore;
  recovery: RecoveryStore;
  critical: CriticalPackageStore;
  webauthn: WebAuthnStore;
  orgs: OrgStore;
  trust: TrustStore;
  signingKeys: SigningKeyStore;
  reports: ReportStore;
  malicious: MaliciousAdvisoryStore;
  securityContacts: SecurityContactStore;
  auditLog: AuditLogStore;
  transparency: TransparencyStore;
  stages: StageStore;
  names: NameStore;
  scanning: ScanStore;
  advisories: AdvisoryStore;
  attestations: AttestationStore;
  quarantines: QuarantineStore;
}

export interface Store extends Repositories {
  transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T>;
  /**
   * Reads that must agree with each other (a packument's versions and its dist-tags): all of
   * them see the database as it was at one moment, whatever commits meanwhile.
   */
  snapshot<T>(work: (tx: Repositories) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
