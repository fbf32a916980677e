// Chromium's virtual WebAuthn authenticators (CDP WebAuthn domain) for the browser tests: a USB
// security key without user verification, or a platform authenticator holding passkeys.
import type { Page } from 'playwright-core';

/** A virtual authenticator on the page: a USB security key, or the platform's own (a passkey holder). Returns its remover. */
export async function addAuthenticator(page: Page, kind: 'usb-key' | 'platform'): Promise<() => Promise<void>> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const platform = kind === 'platform';
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: platform ? 'internal' : 'usb',
      hasResidentKey: platform,
      hasUserVerification: platform,
      isUserVerified: platform,
      automaticPresenceSimulation: true,
    },
  });
  return async () => void (await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId }));
}
