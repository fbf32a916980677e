// The guard's schedule and keys, alone: which wait follows which attempt, how names and addresses
// are counted, and that a schedule the settings cannot mean is refused at start-up.
import { describe, expect, it } from 'vitest';
import { addressGroup, counterKeys, guardRules, type GuessLimits } from '../../../src/domain/guard/policy.js';

const LIMITS: GuessLimits = {
  backoffAfter: 5,
  lockAfter: 10,
  addressBackoffAfter: 3,
  addressLockAfter: 4,
  firstBackoffMs: 1000,
  maxBackoffMs: 8000,
  lockMs: 15 * 60 * 1000,
};

describe('guess guard policy', () => {
  it('waits nothing for the first four attempts, then 1 s doubling up to the cap, then locks', () => {
    const { account, address } = guardRules(LIMITS);
    expect(account.delays).toEqual([0, 0, 0, 0, 1000, 2000, 4000, 8000, 8000, 15 * 60 * 1000]);
    expect(address.delays).toEqual([0, 0, 1000, 15 * 60 * 1000]);
    expect(account.windowMs).toBe(15 * 60 * 1000);
  });

  it('refuses a lock threshold that is not a whole number from 1 to 1000', () => {
    for (const lockAfter of [0, 1.5, 1001]) expect(() => guardRules({ ...LIMITS, lockAfter })).toThrow(/guessLockAfter/);
    expect(() => guardRules({ ...LIMITS, addressLockAfter: 0 })).toThrow(/guessAddressLockAfter/);
  });

  it('counts a name in any case as one account, each secret kind apart', () => {
    const a = counterKeys({ secret: 'password', account: 'Alice', clientIp: '192.0.2.1' });
    expect(a.account).toBe(counterKeys({ secret: 'password', account: 'alice', clientIp: '192.0.2.9' }).account);
    expect(a.account).not.toBe(counterKeys({ secret: 'otp', account: 'alice', clientIp: '192.0.2.1' }).account);
    expect(counterKeys({ secret: 'password', account: 'x'.repeat(5000), clientIp: '192.0.2.1' }).account.length).toBeLessThan(
      200,
    );
  });

  it('counts an IPv6 client by its /64 and an IPv4-mapped one as IPv4', () => {
    expect(addressGroup('2001:db8:0:1::1')).toBe('2001:db8:0:1::/64');
    expect(addressGroup('2001:0db8:0000:0001:ffff:1:2:3')).toBe('2001:db8:0:1::/64');
    expect(addressGroup('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressGroup('::1')).toBe('0:0:0:0::/64');
    expect(addressGroup('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(addressGroup('192.0.2.1')).toBe('192.0.2.1');
    // Not an address this parser understands: counted as given, never merged with others.
    expect(addressGroup('1::2::3')).toBe('1::2::3');
  });
});
