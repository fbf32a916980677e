// Password hashes as stored: scrypt with its parameters in the stored form, so hashes made with
// other parameters (older or stronger) keep verifying after the defaults change.
import { randomBytes, scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../../src/domain/accounts/passwords.js';

describe('password hashes', () => {
  it('verifies the right password and refuses others', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(await verifyPassword('correct horse battery staple', stored)).toBe(true);
    expect(await verifyPassword('correct horse battery stapl', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('stores an OWASP setting of 16 MiB per hash, with a fresh salt each time, and never the password', async () => {
    const [first, second] = [await hashPassword('same password'), await hashPassword('same password')];
    expect(first).toMatch(/^scrypt\$16384\$8\$5\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(second).not.toBe(first);
    expect(first).not.toContain('same password');
  });

  it('verifies a hash stored with other parameters, as named in the stored form', async () => {
    const salt = randomBytes(16);
    const key = scryptSync('old password', salt, 32, { N: 2 ** 17, r: 8, p: 1, maxmem: 256 * 2 ** 17 * 8 });
    const stored = `scrypt$${2 ** 17}$8$1$${salt.toString('base64')}$${key.toString('base64')}`;
    expect(await verifyPassword('old password', stored)).toBe(true);
    expect(await verifyPassword('new password', stored)).toBe(false);
  });

  it('treats the composed and decomposed forms of a character as the same password', async () => {
    const stored = await hashPassword('caf\u00e9');
    expect(await verifyPassword('cafe\u0301', stored)).toBe(true);
  });

  it('refuses, without throwing, a stored value that is not a hash it knows', async () => {
    expect(await verifyPassword('anything', 'scrypt$stand-in')).toBe(false);
    expect(await verifyPassword('anything', 'bcrypt$2b$10$abc')).toBe(false);
  });
});
