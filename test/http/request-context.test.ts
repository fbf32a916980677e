// The request context at the HTTP edge: who the client is (X-Forwarded-For believed only from a
// trusted proxy), what it calls itself (User-Agent, cleaned) and its one-time password (npm-otp,
// only when it looks like one). Hostile headers are answered as if absent, never with a 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { packageBuilder } from '../fixtures/package-builder.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { buildApp } from '../../src/http/app.js';
import { clientAddress, cleanUserAgent, otpOf, parseTrustedProxies, USER_AGENT_MAX } from '../../src/http/request-context.js';

const PROXIES = '10.0.0.0/8, 192.0.2.7, fd00::/8';

describe('request context parts', () => {
  const trusted = parseTrustedProxies(PROXIES);

  it('believes X-Forwarded-For only from a trusted proxy, taking the right-most untrusted hop', () => {
    expect(clientAddress(trusted, '10.1.1.1', '198.51.100.1, 203.0.113.5, 10.2.2.2')).toBe('203.0.113.5');
    expect(clientAddress(trusted, '192.0.2.7', '203.0.113.5')).toBe('203.0.113.5');
    expect(clientAddress(trusted, '::ffff:10.1.1.1', '203.0.113.5')).toBe('203.0.113.5');
    expect(clientAddress(trusted, 'fd00::1', '2001:db8::5')).toBe('2001:db8::5');
    expect(clientAddress(trusted, '10.1.1.1', ['203.0.113.5', '10.3.3.3'])).toBe('203.0.113.5');
    // Only proxies in the chain: the left-most is as far as anyone vouches.
    expect(clientAddress(trusted, '10.1.1.1', '10.4.4.4, 10.5.5.5')).toBe('10.4.4.4');
    // An untrusted peer's header is its own claim.
    expect(clientAddress(trusted, '198.51.100.9', '203.0.113.5')).toBe('198.51.100.9');
    // Default: nobody is trusted.
    expect(clientAddress(parseTrustedProxies(''), '10.1.1.1', '203.0.113.5')).toBe('10.1.1.1');
  });

  it('answers a malformed X-Forwarded-For as if absent', () => {
    const hops = Array.from({ length: 1000 }, (_, i) => `198.51.100.${i % 250}`).join(', ');
    for (const bad of [
      'garbage',
      '203.0.113.5, not-an-ip',
      '',
      ' , ',
      '[2001:db8::5]',
      '2001:db8::zz',
      '203.0.113.5:443',
      hops,
    ]) {
      expect(clientAddress(trusted, '10.1.1.1', bad), bad.slice(0, 40)).toBe('10.1.1.1');
    }
  });

  it('keeps a one-time password only when it is 6 to 8 digits', () => {
    expect(otpOf('123456')).toBe('123456');
    expect(otpOf(' 12345678 ')).toBe('12345678');
    for (const bad of [undefined, '', '12345', '123456789', '12345a', '123456, 654321', '١٢٣٤٥٦', ['123456']]) {
      expect(otpOf(bad)).toBeUndefined();
    }
  });

  it('strips control and invisible characters from the user agent and caps it', () => {
    expect(cleanUserAgent('npm/11.0.0 node/v20\u0000\u001b[31m\u007f\u0085\u202e')).toBe('npm/11.0.0 node/v20[31m');
    expect(cleanUserAgent('x'.repeat(10_000))).toHaveLength(USER_AGENT_MAX);
    expect(cleanUserAgent(undefined)).toBe('');
  });

  it('refuses a trusted proxy entry that is not an address or range, naming it', () => {
    for (const bad of ['10.0.0.0/33', 'proxy.internal', '10.0.0.1/8/1', 'fd00::/129', '10.0.0.0/']) {
      expect(() => parseTrustedProxies(bad), bad).toThrow(ConfigError);
      expect(() => parseTrustedProxies(bad), bad).toThrow(bad);
    }
  });
});

for (const engine of ENGINES) {
  describe(`request context over HTTP (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    beforeAll(async () => {
      r = await startRegistry(engine, { config: { trustedProxies: PROXIES } });
      alice = await r.createUser('alice');
    });
    afterAll(() => r.close());

    /** Starts a web login and returns its sign-in page, which shows the address and agent it came from. */
    async function loginPageFrom(remoteAddress: string, headers: Record<string, string>) {
      const start = await r.inject({ method: 'POST', url: '/-/v1/login', payload: {}, remoteAddress, headers });
      expect(start.statusCode, start.body).toBe(200);
      const page = await r.inject({ method: 'GET', url: new URL(start.json<{ loginUrl: string }>().loginUrl).pathname });
      expect(page.statusCode).toBe(200);
      return page.body;
    }

    it('records the forwarded client behind a trusted proxy, and the socket address otherwise', async () => {
      expect(await loginPageFrom('10.9.9.9', { 'x-forwarded-for': '198.51.100.1, 203.0.113.77' })).toContain(
        '<strong>203.0.113.77</strong>',
      );
      const direct = await loginPageFrom('198.51.100.200', { 'x-forwarded-for': '203.0.113.78' });
      expect(direct).toContain('<strong>198.51.100.200</strong>');
      expect(direct).not.toContain('203.0.113.78');
    });

    it('answers malformed X-Forwarded-For headers with the socket address, never a 500', async () => {
      const thousand = Array.from({ length: 1000 }, () => '203.0.113.9').join(',');
      for (const xff of ['garbage', thousand, '2001:db8::1::2', '\u00ff\u00fe', '203.0.113.9,,']) {
        const page = await loginPageFrom('10.8.8.8', { 'x-forwarded-for': xff });
        expect(page).toContain('<strong>10.8.8.8</strong>');
      }
      expect(await loginPageFrom('fd00::8', { 'x-forwarded-for': '2001:db8::8' })).toContain('<strong>2001:db8::8</strong>');
    });

    it('shows a hostile user agent cleaned', async () => {
      const page = await loginPageFrom('198.51.100.3', { 'user-agent': `evil\u001b[2J\u007f\u0085agent${'A'.repeat(5000)}` });
      // Removed, not replaced: the sign-in page's own clean-up would have left spaces.
      const shown = /<code>(evil\[2JagentA+)<\/code>/.exec(page)?.[1];
      expect(shown?.length).toBeLessThanOrEqual(USER_AGENT_MAX);
      expect(page).not.toMatch(/[\u0000-\u0008\u000b\u001b\u007f-\u009f]/);
    });

    it('refuses a present but invalid token on reads and web pages too, before any route runs', async () => {
      for (const url of ['/-/ping', '/', '/otp-pkg']) {
        const res = await r.inject({ method: 'GET', url, headers: { authorization: 'Bearer gth_not-a-real-token' } });
        // Not our shape: refused as malformed, without a lookup.
        expect([res.statusCode, res.json<{ code: string }>().code], url).toEqual([401, 'TokenMalformed']);
      }
    });

    it('treats a malformed npm-otp header as absent: the publish goes through', async () => {
      for (const [i, otp] of ['12', 'x'.repeat(5000), '123456, 654321', '\u00ff'].entries()) {
        const builder = packageBuilder('otp-pkg', `1.0.${i}`);
        const res = await r.app.inject({
          method: 'PUT',
          url: '/otp-pkg',
          headers: { authorization: `Bearer ${alice.token}`, 'npm-otp': otp },
          payload: builder.publishBody(r.url),
        });
        expect(res.statusCode, res.body).toBe(201);
      }
    });
  });
}

describe('trustedProxies setting', () => {
  it('stops the app from starting on a bad entry, and defaults to trusting nobody', async () => {
    expect(loadConfig({ env: {} }).trustedProxies).toBe('');
    const config = loadConfig({ env: { GATEHOUSE_TRUSTED_PROXIES: '10.0.0.0/8,not-a-proxy' } });
    expect(config.trustedProxies).toBe('10.0.0.0/8,not-a-proxy');
    // buildApp parses the list before it needs a registry for anything else.
    await expect(buildApp({ config } as never, { logger: false })).rejects.toThrow(/not-a-proxy/);
  });
});
