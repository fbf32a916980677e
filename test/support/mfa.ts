// Two-factor set-up as npm's `profile enable-2fa` sends it (npm-profile set: POST /-/npm/v1/user),
// and one-time passwords computed from the otpauth URL the registry answered, for HTTP tests.
import { expect } from 'vitest';
import type { TestRegistry, TestUser } from './registry.js';
import { bearer } from './npm-protocol.js';
import { codeAt, stepAt, TOTP_PERIOD_SECONDS, type TotpSecret } from '../../src/domain/mfa/totp.js';
import { ManualClock, type Clock } from '../../src/domain/clock.js';

export interface Enrolled {
  secret: TotpSecret;
  recoveryCodes: string[];
  /** A code the registry has not seen yet: each call moves to a later step (within the ±1 window). */
  nextCode(): string;
}

/**
 * Codes for one secret, never the same step twice, as close to now as the window allows. With a
 * ManualClock the clock is moved on a step when the window is used up; with the real one, waiting
 * is the caller's business (the e2e test), so it throws.
 */
export function codeSource(secret: TotpSecret, clock: Clock): () => string {
  let last = -Infinity;
  return () => {
    let step = Math.max(last + 1, stepAt(clock.now()) - 1);
    if (step > stepAt(clock.now()) + 1) {
      if (!(clock instanceof ManualClock)) throw new Error('used every step the window allows; wait for the next');
      clock.advance(TOTP_PERIOD_SECONDS * 1000);
      step = Math.max(last + 1, stepAt(clock.now()) - 1);
    }
    last = step;
    return codeAt(secret, step * TOTP_PERIOD_SECONDS * 1000);
  };
}

export function postProfile(r: TestRegistry, user: TestUser, body: unknown, otp?: string) {
  return r.inject({
    method: 'POST',
    url: '/-/npm/v1/user',
    headers: { ...bearer(user.token), ...(otp === undefined ? {} : { 'npm-otp': otp }) },
    payload: body as object,
  });
}

/** The two requests of `npm profile enable-2fa <mode>`; expects both to succeed. */
export async function enrolTotp(
  r: TestRegistry,
  user: TestUser,
  mode: 'auth-only' | 'auth-and-writes' = 'auth-and-writes',
): Promise<Enrolled> {
  const first = await postProfile(r, user, { tfa: { password: user.password, mode } });
  expect(first.statusCode, first.body).toBe(200);
  const url = first.json<{ tfa: string }>().tfa;
  const secret = new URL(url).searchParams.get('secret') as TotpSecret;
  const nextCode = codeSource(secret, r.registry.clock);
  const second = await postProfile(r, user, { tfa: [nextCode()] });
  expect(second.statusCode, second.body).toBe(200);
  return { secret, recoveryCodes: second.json<{ tfa: string[] }>().tfa, nextCode };
}

/**
 * An administrator who can moderate (reports, quarantine): TOTP for sign-in only, so other admin
 * writes need no code, and `otp()` the `npm-otp` header moderation asks for every time.
 */
export async function moderatorTotp(r: TestRegistry, admin: TestUser): Promise<Enrolled & { otp(): { 'npm-otp': string } }> {
  const enrolled = await enrolTotp(r, admin, 'auth-only');
  return { ...enrolled, otp: () => ({ 'npm-otp': enrolled.nextCode() }) };
}
