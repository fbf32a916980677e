// The leaked-password screen against a local server speaking the HIBP range protocol: it sends
// only the prefix and asks for padding, counts only real hits, and when the API errors or does
// not answer in time it falls back to the bundled list and says so without the password.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHibpServer, type HibpServer } from '../../support/hibp-server.js';
import { HibpRangeClient } from '../../../src/adapters/hibp/range-client.js';
import { PwnedPasswordScreen } from '../../../src/domain/credentials/screen.js';
import { wireCredentials } from '../../../src/domain/credentials/index.js';
import { rangeKey } from '../../../src/domain/credentials/pwned-range.js';
import { ConfigError, loadConfig } from '../../../src/config.js';

const LEAKED_AT_HIBP = 'only-the-api-knows-this-one';
const PADDED = 'appears-only-as-padding';
const CLEAN = 'a long and unusual passphrase 7';

describe('HIBP range screen', () => {
  let hibp: HibpServer;
  const warnings: { source: string; reason: string }[] = [];
  const screen = () =>
    wireCredentials({
      hibp: new HibpRangeClient({ baseUrl: `${hibp.url}/`, timeoutMs: 300 }),
      onUnavailable: (source, reason) => void warnings.push({ source, reason }),
    }).passwordScreen;

  beforeAll(async () => {
    hibp = await startHibpServer();
    hibp.addBreached(LEAKED_AT_HIBP, 3);
    hibp.padWith(PADDED);
  });
  afterAll(() => hibp.close());
  afterEach(() => {
    hibp.mode = 'ok';
    hibp.requests.length = 0;
    warnings.length = 0;
  });

  it('flags a breached password, sending only the five-character prefix with Add-Padding', async () => {
    expect(await screen().isLeaked(LEAKED_AT_HIBP)).toBe(true);
    expect(hibp.requests).toHaveLength(1);
    const [request] = hibp.requests;
    expect(request!.url).toBe(`/range/${rangeKey(LEAKED_AT_HIBP).prefix}`);
    expect(request!.headers['add-padding']).toBe('true');
    expect(request!.headers['user-agent']).toBeTruthy();
    expect(warnings).toEqual([]);
  });

  it('does not count a suffix that appears only as padding (count 0)', async () => {
    expect(await screen().isLeaked(PADDED)).toBe(false);
    expect(await screen().isLeaked(CLEAN)).toBe(false);
    expect(hibp.requests).toHaveLength(2);
  });

  it('asks the API, not the bundled list, while the API answers', async () => {
    // In the bundled list but not at this API: the configured API is the authority.
    expect(await screen().isLeaked('password123')).toBe(false);
  });

  for (const mode of ['error', 'hang'] as const) {
    it(`falls back to the bundled list when the API ${mode === 'error' ? 'answers 503' : 'does not answer in time'}`, async () => {
      hibp.mode = mode;
      expect(await screen().isLeaked('password123')).toBe(true);
      expect(await screen().isLeaked(LEAKED_AT_HIBP)).toBe(false);
      expect(warnings).toHaveLength(2);
      for (const warning of warnings) {
        expect(warning.source).toBe('HIBP range API');
        const said = JSON.stringify(warning);
        for (const secret of ['password123', LEAKED_AT_HIBP, rangeKey('password123').prefix, rangeKey(LEAKED_AT_HIBP).prefix]) {
          expect(said).not.toContain(secret);
        }
      }
    });
  }

  it('fails open when the API is unreachable and nothing else is configured', async () => {
    const alone = new PwnedPasswordScreen({
      primary: new HibpRangeClient({ baseUrl: 'http://127.0.0.1:1', timeoutMs: 300 }),
      onUnavailable: (source, reason) => void warnings.push({ source, reason }),
    });
    expect(await alone.isLeaked('password123')).toBe(false);
    expect(warnings).toHaveLength(1);
  });

  it('stops start-up on a GATEHOUSE_HIBP_URL that is not an http(s) URL', () => {
    for (const bad of ['api.pwnedpasswords.invalid', 'ftp://range.invalid', 'https://']) {
      expect(() => loadConfig({ env: { GATEHOUSE_HIBP_URL: bad } })).toThrow(ConfigError);
    }
    expect(loadConfig({ env: { GATEHOUSE_HIBP_URL: 'https://range.invalid' } }).hibpUrl).toBe('https://range.invalid');
  });
});
