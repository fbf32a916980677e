// The trust check `gatehouse install --require-signatures / --require-provenance` runs: every
// fetched package's registry signature and provenance, after its integrity verified and before
// anything is swapped in. An invalid signature or provenance always aborts; an absent one aborts
// only what the user required. The install then leaves node_modules as it was.
import { ClientError } from '../errors.js';
import type { RegistryClient } from '../registry-client.js';
import { trustFailures, verifyTrust, type TrustItem } from './index.js';

export interface InstallTrustOptions {
  requireSignatures: boolean;
  requireProvenance: boolean;
  trustedRoot?: string | undefined;
  log: (line: string) => void;
}

export function installTrustHook(client: RegistryClient, opts: InstallTrustOptions): (items: TrustItem[]) => Promise<void> {
  return async (items) => {
    const checked = items.filter((i) => i.integrity !== ''); // links and folders have nothing to sign
    const verdicts = await verifyTrust(client, checked, { trustedRoot: opts.trustedRoot, concurrency: 16 });
    const failures = trustFailures(verdicts, { signatures: opts.requireSignatures, provenance: opts.requireProvenance });
    if (failures.length > 0) {
      const shown = failures.slice(0, 20).map((f) => `  ${f}`);
      const more = failures.length > 20 ? [`  … and ${failures.length - 20} more`] : [];
      throw new ClientError(
        [
          `Nothing was installed: ${failures.length} package${failures.length === 1 ? '' : 's'} failed the trust check:`,
          ...shown,
          ...more,
        ].join('\n'),
      );
    }
    const count = (field: 'signature' | 'provenance') => [...verdicts.values()].filter((v) => v[field] === 'verified').length;
    opts.log(
      `trust: ${count('signature')} of ${checked.length} registry signatures verified, ${count('provenance')} with verified provenance`,
    );
  };
}
