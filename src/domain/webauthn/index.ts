// The webauthn domain wired in one place: security keys and passkeys (service.ts) and the
// critical-maintainer rule the package write checks ask (policy.ts).
import { WebAuthnService, type WebAuthnDeps } from './service.js';
import { criticalKeyPolicy, type CriticalKeyPolicyDeps } from './policy.js';
import type { SecurityKeyPolicy } from '../mfa/writes.js';

export interface WebAuthnDomain {
  webauthn: WebAuthnService;
  keyPolicy: SecurityKeyPolicy;
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
  return { webauthn, keyPolicy };
}
