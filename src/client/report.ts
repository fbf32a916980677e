// `gatehouse report NAME[@VERSION] --reason R --description D [--registry URL] [--token T]`: files a
// report through the registry's API (POST /-/gatehouse/v1/packages/:pkg/reports), signed in with the
// token npm uses for that registry (npmrc.ts). Prints the report's number and where to follow it.
import { ClientError } from './errors.js';
import { clientSettings } from './npmrc.js';

/** `name`, `name@1.0.0`, `@scope/name`, `@scope/name@1.0.0`. */
export function parseSpec(spec: string): { name: string; version: string | undefined } {
  const at = spec.indexOf('@', spec.startsWith('@') ? 1 : 0);
  if (at < 0) return { name: spec, version: undefined };
  return { name: spec.slice(0, at), version: spec.slice(at + 1) || undefined };
}

export async function report(
  spec: string,
  opts: { reason?: string; description?: string; registry?: string; token?: string },
  print: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Promise<void> {
  if (!opts.reason) throw new ClientError('--reason is required: malicious, typosquatting, spam or vulnerable.');
  if (!opts.description) throw new ClientError('--description is required: what you found, where, and how to see it.');
  const { registry, token } = clientSettings(opts);
  if (!token) throw new ClientError(`No token for ${registry}: run \`npm login --registry ${registry}\`, or pass --token.`);
  const { name, version } = parseSpec(spec);
  const url = new URL(`-/gatehouse/v1/packages/${encodeURIComponent(name)}/reports`, registry);
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'user-agent': 'gatehouse-cli' },
    body: JSON.stringify({ ...(version && { version }), reason: opts.reason, description: opts.description }),
  });
  const body = (await res.json().catch(() => ({}))) as { id?: number; state?: string; error?: string; code?: string };
  if (!res.ok) {
    const retry = res.headers.get('retry-after');
    throw new ClientError(
      `${res.status} ${body.code ?? ''}: ${body.error ?? res.statusText}${retry ? ` (retry after ${retry} s)` : ''}`.replace(
        ' :',
        ':',
      ),
    );
  }
  print(`Report ${body.id} filed (${body.state}) against ${name}${version ? `@${version}` : ''}.`);
  print(`Follow it at ${new URL(`reports/${body.id}`, registry).toString()}`);
}
