// The transparency domain wired in one place: the log, woken by this instance's commits of logged
// events and by an instance job (other instances' events, witnesses that were down). Every
// instance runs it; the position's compare-and-set keeps two from appending the same batch.
import type { JobRunner } from '../jobs/runner.js';
import { TransparencyLog, type TransparencyDeps } from './service.js';
import { parseVerifierKey } from './note.js';
import type { WitnessConfig } from './witnesses.js';

export interface TransparencyWiring extends Omit<TransparencyDeps, 'witnesses'> {
  jobs: JobRunner;
  /** Milliseconds between the job's runs; 0 leaves appending to commits here and explicit calls. */
  intervalMs: number;
  /** The `tlogWitnesses` setting: comma-separated `<vkey> <url>` pairs. */
  witnesses: string;
}

export async function wireTransparency(deps: TransparencyWiring): Promise<{ transparency: TransparencyLog }> {
  const transparency = new TransparencyLog({ ...deps, witnesses: parseWitnesses(deps.witnesses) });
  await transparency.ensureKey();
  if (deps.intervalMs > 0) {
    deps.jobs.define({
      name: 'transparency.append',
      intervalMs: deps.intervalMs,
      scope: 'instance',
      run: () => transparency.sync(),
    });
  }
  return { transparency };
}

export function parseWitnesses(setting: string): WitnessConfig[] {
  return setting
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      const [vkey, url, ...rest] = entry.split(/\s+/);
      if (!vkey || !url || rest.length > 0 || !/^https?:\/\/[^/]/.test(url)) {
        throw new TypeError(`a witness is "<vkey> <url>", not "${entry}"`);
      }
      return { url, verifier: parseVerifierKey(vkey) };
    });
}
