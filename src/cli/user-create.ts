// `gatehouse user create NAME --email EMAIL --password-stdin [--admin]`: the bootstrap path for
// the first administrator. The account is created verified: the operator vouches for the email.
import type { Config } from '../config.js';
import { withRegistry } from './with-registry.js';

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

export async function userCreate(
  name: string,
  opts: { email: string; password: string; admin: boolean },
  overrides: Partial<Config>,
  configFile: string | undefined,
): Promise<void> {
  await withRegistry(overrides, configFile, async (registry) => {
    const user = await registry.accounts.createUser({ name, email: opts.email, password: opts.password, isAdmin: opts.admin });
    process.stdout.write(`Created ${user.isAdmin ? 'administrator' : 'user'} ${user.name} <${user.email}>\n`);
  });
}
