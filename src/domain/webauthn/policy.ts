// The policy for maintainers of critical packages (criticalRequireSecurityKey): a phishable
// one-time code is not enough for the accounts attackers want most, so publishing and owner
// changes need a security key or passkey on the account. The refusal says where to add one.
import type { User } from '../accounts/store.js';
import { fail } from '../errors.js';
import type { SecurityKeyPolicy } from '../mfa/writes.js';

export interface CriticalKeyPolicyDeps {
  required: boolean;
  registered: (user: User) => Promise<boolean>;
  criticalMaintainer: (userId: number) => Promise<boolean>;
  publicUrl: () => string;
}

export function criticalKeyPolicy(deps: CriticalKeyPolicyDeps): SecurityKeyPolicy {
  return {
    registered: deps.registered,
    async check(user, write) {
      if (!deps.required || (await deps.registered(user)) || !(await deps.criticalMaintainer(user.id))) return;
      const what = write === 'publish' ? 'publish' : 'change owners';
      fail(
        'SecurityKeyRequiredForCritical',
        `You maintain a critical package: to ${what} you need a security key or passkey. Add one at ${new URL('/account#security-keys', deps.publicUrl()).href}, then try again.`,
      );
    },
  };
}
