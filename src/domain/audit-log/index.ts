// The audit-log domain wired in one place: it reads the event table through the store.
import type { Store } from '../store.js';
import { AuditLog } from './service.js';

export function wireAuditLog(deps: { store: Store }): AuditLog {
  return new AuditLog(deps.store);
}
