// `gatehouse user recover NAME --email NEW --checks "id-document,signed-commit" [--reset-mfa]`:
// admin-assisted account recovery (docs/account-recovery.md). The operator names the identity
// checks they made; the account gets the new address (verified by its link), loses every token,
// and loses its second factor only with --reset-mfa. Prints what was done, never a secret.
import type { Config } from '../config.js';
import { withRegistry } from './with-registry.js';

export async function userRecover(
  name: string,
  opts: { email: string; checks: string; resetMfa: boolean },
  overrides: Partial<Config>,
  configFile: string | undefined,
): Promise<void> {
  await withRegistry(overrides, configFile, async (registry) => {
    const result = await registry.recovery.admin.recover(name, {
      email: opts.email,
      checks: opts.checks,
      resetMfa: opts.resetMfa,
    });
    const lines = [
      `Recovered ${result.user.name}: address ${result.user.email} (${result.user.emailVerified ? 'verified' : 'verification link mailed'})`,
      `Revoked ${result.tokensRevoked} token${result.tokensRevoked === 1 ? '' : 's'}`,
      result.mfaRemoved ? 'Removed two-factor authentication' : 'Two-factor authentication left as it was',
      result.restrictedUntil ? `Read-only until ${result.restrictedUntil}` : 'Not put read-only (outside the policy)',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    // Sends what is owed now (the mails), rather than leaving it to the next server's worker.
    await registry.mail.deliver();
  });
}
