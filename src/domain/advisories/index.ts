// Vulnerability advisories wired in one place. Composition (src/registry.ts) calls wireAdvisories
// once and hands it how a reader sees a package's versions (the packages domain decides that).
import type { Store } from '../store.js';
import type { Clock } from '../clock.js';
import type { RequestContext } from '../access/context.js';
import { AdvisoryService } from './service.js';
import type { OsvSources } from './sources.js';

export { AdvisoryService } from './service.js';

export function wireAdvisories(deps: {
  store: Store;
  clock: Clock;
  anonymousReads: boolean;
  servedVersions: (context: RequestContext, name: string) => Promise<string[] | undefined>;
  sources: OsvSources;
}): { advisories: AdvisoryService } {
  return { advisories: new AdvisoryService(deps) };
}
