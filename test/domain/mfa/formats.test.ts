// The pure pieces of the second factor: TOTP against RFC 6238's own vectors, the sealed form of a
// secret, and recovery codes as typed from paper.
import { describe, expect, it } from 'vitest';
import { codeAt, matchingStep, otpauthUrl, stepAt, type TotpSecret } from '../../../src/domain/mfa/totp.js';
import { asSecretKey, openSecret, sealSecret } from '../../../src/domain/mfa/secret-box.js';
import { hashRecoveryCode, newRecoveryCodes, normaliseRecoveryCode } from '../../../src/domain/mfa/recovery-codes.js';
import { randomBytes } from 'node:crypto';

// RFC 6238 Appendix B, SHA-1 seed "12345678901234567890" in base32; the RFC prints 8 digits,
// a 6-digit code is their last six.
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ' as TotpSecret;
const RFC_VECTORS: [number, string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
];

describe('TOTP', () => {
  it('computes the codes RFC 6238 lists', () => {
    for (const [seconds, code] of RFC_VECTORS) expect(codeAt(RFC_SECRET, seconds * 1000)).toBe(code.slice(-6));
  });

  it('accepts a code from one step before or after now, and names the step it matched', () => {
    const now = 1234567890_000;
    const step = stepAt(now);
    for (const delta of [-1, 0, 1]) {
      expect(matchingStep(RFC_SECRET, codeAt(RFC_SECRET, now + delta * 30_000), now)).toBe(step + delta);
    }
    for (const delta of [-3, -2, 2, 3])
      expect(matchingStep(RFC_SECRET, codeAt(RFC_SECRET, now + delta * 30_000), now)).toBeUndefined();
  });

  it('refuses malformed codes without comparing them', () => {
    const now = 1234567890_000;
    const good = codeAt(RFC_SECRET, now);
    for (const bad of ['', `${good}0`, good.slice(1), ` ${good}`, 'abcdef', '12 456', '１２３４５６']) {
      expect(matchingStep(RFC_SECRET, bad, now), bad).toBeUndefined();
    }
  });

  it('writes the otpauth URL an authenticator app and npm read the secret from', () => {
    const url = new URL(otpauthUrl(RFC_SECRET, 'alice', 'registry.test'));
    expect(url.protocol).toBe('otpauth:');
    expect(url.searchParams.get('secret')).toBe(RFC_SECRET);
    expect(url.searchParams.get('issuer')).toBe('registry.test');
    expect([url.searchParams.get('digits'), url.searchParams.get('period'), url.searchParams.get('algorithm')]).toEqual([
      '6',
      '30',
      'SHA1',
    ]);
  });
});

describe('sealed TOTP secrets', () => {
  const key = asSecretKey(randomBytes(32));

  it('open only with the same key for the same user', () => {
    const sealed = sealSecret(key, 7, RFC_SECRET);
    expect(sealed).not.toContain(RFC_SECRET);
    expect(openSecret(key, 7, sealed)).toBe(RFC_SECRET);
    expect(openSecret(key, 8, sealed)).toBeUndefined();
    expect(openSecret(asSecretKey(randomBytes(32)), 7, sealed)).toBeUndefined();
  });

  it('refuse a tampered or truncated sealed form instead of throwing', () => {
    const sealed = sealSecret(key, 7, RFC_SECRET);
    const parts = sealed.split('.');
    const flipped = [
      ...parts.slice(0, 3),
      Buffer.from('X' + Buffer.from(parts[3]!, 'base64url').toString('latin1').slice(1), 'latin1').toString('base64url'),
    ];
    for (const bad of [flipped.join('.'), parts.slice(0, 3).join('.'), `v2.${parts.slice(1).join('.')}`, '', `${sealed}.x`]) {
      expect(openSecret(key, 7, bad), bad).toBeUndefined();
    }
  });

  it('seal the same secret differently each time (a fresh nonce)', () => {
    expect(sealSecret(key, 7, RFC_SECRET)).not.toBe(sealSecret(key, 7, RFC_SECRET));
  });
});

describe('recovery codes', () => {
  it('are ten different codes that read back however they are typed', () => {
    const codes = newRecoveryCodes();
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) {
      expect(normaliseRecoveryCode(code)).toBe(code);
      expect(normaliseRecoveryCode(` ${code.toUpperCase().replace('-', ' ')} `)).toBe(code);
    }
  });

  it('are not taken for anything else', () => {
    for (const bad of ['', '123456', 'abcdef-ghjkm', 'aaaaaa-aaaaa', 'aaaaaa-aaaaaaa', 'ilo0ab-cdefgh']) {
      expect(normaliseRecoveryCode(bad), bad).toBeUndefined();
    }
  });

  it('hash to a value that does not contain the code', () => {
    const [code] = newRecoveryCodes();
    expect(hashRecoveryCode(code!)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashRecoveryCode(code!)).not.toContain(code!.replace('-', ''));
  });
});
