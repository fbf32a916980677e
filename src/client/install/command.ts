// `gatehouse install`: flags, Ctrl-C, and what the user reads at the end.
import { defineCommand } from '../command.js';
import { ClientError } from '../errors.js';
import { clientSettings } from '../npmrc.js';
import { RegistryClient } from '../registry-client.js';
import { install, type OmitType } from './index.js';
import { createProgress } from './progress.js';
import { installTrustHook } from '../trust/install-hook.js';

const OMIT = new Set(['dev', 'optional', 'peer']);

export const command = defineCommand({
  usage: [
    'Usage: gatehouse install [--omit dev|optional|peer]... [--ignore-scripts] [--cache DIR] [--no-cache]',
    '                         [--registry URL] [--token TOKEN] [--concurrency N] [--dir DIR]',
    '                         [--require-signatures] [--require-provenance] [--trusted-root trusted_root.json]',
    '                         [--fail-on low|moderate|high|critical] [--osv PATH] [--no-audit]',
    '',
    'Installs exactly what package-lock.json pins (writing it from package.json first if there is none):',
    'every tarball checked against its pinned integrity before anything is written, node_modules laid out',
    'as npm ci does and swapped in only at the end, install scripts run only for packages allowed by',
    '"allowScripts" in package.json, versions younger than min-release-age (.npmrc) refused.',
    "Known vulnerabilities in what it installs are printed (the registry's advisories, or --osv records);",
    'with --fail-on, one at least that serious stops the install before node_modules is touched.',
  ].join('\n'),
  flags: {
    omit: { type: 'string', multiple: true },
    'ignore-scripts': { type: 'boolean' },
    cache: { type: 'string' },
    'no-cache': { type: 'boolean' },
    registry: { type: 'string' },
    token: { type: 'string' },
    concurrency: { type: 'string' },
    dir: { type: 'string' },
    'require-signatures': { type: 'boolean' },
    'require-provenance': { type: 'boolean' },
    'trusted-root': { type: 'string' },
    'fail-on': { type: 'string' },
    osv: { type: 'string' },
    'no-audit': { type: 'boolean' },
  },
  async run(values, positionals) {
    if (positionals.length)
      throw new ClientError(`gatehouse install takes no package names (got ${positionals.join(' ')}); edit package.json instead`);
    const omit = (values.omit ?? []).flatMap((v) => v.split(','));
    for (const o of omit) if (!OMIT.has(o)) throw new ClientError(`--omit takes dev, optional or peer, not ${JSON.stringify(o)}`);
    const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
    if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency > 0))
      throw new ClientError('--concurrency takes a whole number above 0');
    const dir = values.dir ?? process.cwd();
    const log = (line: string) => process.stderr.write(`${line}\n`);
    const flags = { ...(values.registry ? { registry: values.registry } : {}), ...(values.token ? { token: values.token } : {}) };
    const { registry, token } = clientSettings(flags, process.env, dir);
    const client = new RegistryClient({ registry, token, onRetry: (m) => log(`retrying: ${m}`) });
    const { parseFailOn } = await import('../audit/index.js');
    const failOn = parseFailOn(values['fail-on']);
    if (values['no-audit'] && (failOn || values.osv))
      throw new ClientError('--no-audit cannot be combined with --fail-on or --osv');
    const audit = values['no-audit']
      ? undefined
      : async (items: { name: string; version: string; path: string }[]) =>
          (await import('../audit/index.js')).installAuditHook({ client, osv: values.osv, failOn, log })(items);
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    try {
      const summary = await install({
        dir,
        client,
        token,
        omit: omit as OmitType[],
        ignoreScripts: values['ignore-scripts'] ?? false,
        cache: values['no-cache'] ? false : values.cache,
        concurrency,
        progress: createProgress(process.stderr),
        log,
        signal: controller.signal,
        // Registry signatures and provenance (src/client/trust), checked when a --require flag asks.
        ...((values['require-signatures'] || values['require-provenance']) && {
          verifyTrust: installTrustHook(client, {
            requireSignatures: values['require-signatures'] ?? false,
            requireProvenance: values['require-provenance'] ?? false,
            trustedRoot: values['trusted-root'] ?? process.env.GATEHOUSE_SIGSTORE_TRUSTED_ROOT,
            log,
          }),
        }),
        audit,
      });
      if (summary.lockfileWritten) process.stdout.write('wrote package-lock.json\n');
      process.stdout.write(
        `added ${summary.added} package${summary.added === 1 ? '' : 's'} in ${summary.seconds.toFixed(1)} s\n`,
      );
      return 0;
    } catch (err) {
      if (controller.signal.aborted) {
        log('Interrupted: the previous node_modules was left as it was.');
        return 130;
      }
      throw err;
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  },
});
