// The webauthn domain wired in one place: security keys and passkeys (service.ts), the
// critical-maintainer rule the package write checks ask (policy.ts) and writes approved with a
// key in the browser (write-approvals.ts).
import { WebAuthnService, type WebAuthnDeps } from './service.js';
import { criticalKeyPolicy, type CriticalKeyPolicyDeps } from './policy.js';
import type { SecurityKeyPolicy } from '../mfa/writes.js';
import { WriteApprovals } from './write-approvals.js';

export interface WebAuthnDomain {
  webauthn: WebAuthnService;
  keyPolicy: SecurityKeyPolicy;
  /** Writes approved with a key in the browser (npm's authUrl/doneUrl flow). */
  approvals: WriteApprovals;
}

export function wireWebAuthn(
  deps: WebAuthnDeps & Pick<CriticalKeyPolicyDeps, 'criticalMaintainer'> & { requiredForCritical: boolean },
): WebAuthnDomain {
  const webauthn = new WebAuthnService(deps);
  const keyPolicy = criticalKeyPolicy({
    required: deps.requiredForCritical,
    registered: (user) => webauthn.registered(user),
    criticalMaintainer: deps.criticalMaintainer,
    publicUrl: deps.publicUrl,
  });
  const approvals = new WriteApprovals({
    store: deps.store,
    clock: deps.clock,
    publicUrl: deps.publicUrl,
    keys: webauthn,
    checkPassword: deps.checkPassword,
  });
  return { webauthn, keyPolicy, approvals };
}
