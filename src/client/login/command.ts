// `gatehouse login`: the registry's web login (the flow `npm login --auth-type=web` uses), the
// token then saved in the user's npmrc exactly where npm looks for it, so `npm whoami` and every
// other npm command use it too. The token is never printed.
import { spawn } from 'node:child_process';
import { defineCommand } from '../command.js';
import { ClientError } from '../errors.js';
import { clientSettings, withSlash } from '../npmrc.js';
import { RegistryClient } from '../registry-client.js';
import { webLogin } from './web-login.js';
import { saveToken } from './user-npmrc.js';

export const command = defineCommand({
  usage: 'Usage: gatehouse login [--registry URL] [--scope @scope] [--no-browser]',
  flags: {
    registry: { type: 'string' },
    scope: { type: 'string' },
    'no-browser': { type: 'boolean' },
  },
  async run(values) {
    const scope = values.scope === undefined ? undefined : values.scope.startsWith('@') ? values.scope : `@${values.scope}`;
    if (scope !== undefined && !/^@[a-z0-9][a-z0-9._~-]*$/i.test(scope))
      throw new ClientError(`--scope takes a scope like @acme, not ${JSON.stringify(values.scope)}`);
    const registry = withSlash(values.registry ?? clientSettings({}).registry);
    try {
      new URL(registry);
    } catch {
      throw new ClientError(`--registry takes a URL, not ${JSON.stringify(values.registry)}`);
    }
    const token = await webLogin(registry, {
      onLoginUrl(url) {
        process.stdout.write(`Login at:\n${url}\n`);
        if (!values['no-browser'] && process.stdout.isTTY) openInBrowser(url);
        process.stdout.write('Waiting for the login to be approved in the browser…\n');
      },
    });
    const file = saveToken({ registry, token, ...(scope && { scope }) });
    const who = await new RegistryClient({ registry, token }).json<{ username?: unknown }>('-/whoami').catch(() => undefined);
    const as = typeof who?.username === 'string' ? ` as ${who.username}` : '';
    process.stdout.write(`Logged in on ${registry}${as}${scope ? ` for ${scope}` : ''}; the token is saved in ${file}.\n`);
    return 0;
  },
});

/** Best effort, as npm's `open` does: the URL is printed either way. */
function openInBrowser(url: string): void {
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  try {
    const child = spawn(opener, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => {});
    child.unref();
  } catch {
    // no opener on this machine: the printed URL is enough
  }
}
