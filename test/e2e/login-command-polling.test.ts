// The web-login polling of `gatehouse login` against a small local server speaking the protocol:
// Retry-After is honoured while the login is pending, and answers that could smuggle a line into
// the npmrc or send the user to a non-web URL are refused. (login-command.test.ts runs the whole
// flow against Gatehouse.)
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webLogin } from '../../src/client/login/web-login.js';
import { setNpmrcLines, nerfDart } from '../../src/client/login/user-npmrc.js';
import { ClientError } from '../../src/client/errors.js';

type Answer = { status: number; headers?: Record<string, string>; body?: unknown };

describe('gatehouse login polling', () => {
  let server: Server;
  let base = '';
  let start: Answer;
  let polls: Answer[] = [];
  let polled = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const answer = req.method === 'POST' ? start : (polls[polled++] ?? { status: 500 });
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.body === undefined ? '{}' : JSON.stringify(answer.body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  function scripted(first: Answer, then: Answer[]) {
    start = first;
    polls = then;
    polled = 0;
  }
  const urls = () => ({ loginUrl: `${base}/login/cli/abc`, doneUrl: `${base}/-/v1/done/abc` });

  it('waits what Retry-After says while pending (a second without it), then takes the token', async () => {
    scripted({ status: 200, body: urls() }, [
      { status: 202, headers: { 'retry-after': '3' } },
      { status: 202 },
      { status: 200, body: { token: 'gth_abc' } },
    ]);
    const waits: number[] = [];
    const shown: string[] = [];
    const token = await webLogin(`${base}/`, {
      onLoginUrl: (url) => shown.push(url),
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    expect(token).toBe('gth_abc');
    expect(shown).toEqual([`${base}/login/cli/abc`]);
    expect(waits).toEqual([3000, 1000]);
  });

  it('refuses a token that would add a line to the npmrc, a non-web login URL, and a failed poll', async () => {
    const none = { onLoginUrl: () => {}, sleep: async () => {} };
    scripted({ status: 200, body: urls() }, [{ status: 200, body: { token: 'gth_x\nregistry=http://evil.invalid/' } }]);
    await expect(webLogin(`${base}/`, none)).rejects.toThrow(/no usable token/);
    scripted({ status: 200, body: { ...urls(), loginUrl: 'javascript:alert(1)' } }, []);
    await expect(webLogin(`${base}/`, none)).rejects.toBeInstanceOf(ClientError);
    scripted({ status: 200, body: urls() }, [{ status: 403, body: { error: 'The login was denied.' } }]);
    await expect(webLogin(`${base}/`, none)).rejects.toThrow(/answered 403: The login was denied/);
    scripted({ status: 404 }, []);
    await expect(webLogin(`${base}/`, none)).rejects.toThrow(/offers no web login/);
  });

  it("writes npm's key for the registry, replacing the line in place and keeping the rest", () => {
    expect(nerfDart('https://npm.example.com:8443/registry')).toBe('//npm.example.com:8443/registry/');
    expect(nerfDart('http://user:pw@127.0.0.1:4873/?x=1')).toBe('//127.0.0.1:4873/');
    const before = 'a=1\n//h/:_authToken=old\n# note\n';
    expect(setNpmrcLines(before, { '//h/:_authToken': 'new', '@s:registry': 'http://h/' })).toBe(
      'a=1\n//h/:_authToken=new\n# note\n@s:registry=http://h/\n',
    );
    expect(setNpmrcLines('', { k: 'v' })).toBe('k=v\n');
  });
});
