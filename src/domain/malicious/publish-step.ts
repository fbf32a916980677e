// The publish step that keeps a package confirmed malicious as a whole closed: its MAL- advisory
// covers every version, later ones too, so a new version would only be the same attack again.
// Placed after "authorize" (before the body is read); one indexed lookup per publish.
import { fail } from '../errors.js';
import type { PublishStep } from '../packages/publish/index.js';
import type { MaliciousAdvisoryStore } from './store.js';

export function maliciousPackageStep(advisories: Pick<MaliciousAdvisoryStore, 'forPackage'>): PublishStep {
  return {
    name: 'malicious-package',
    async run(ctx) {
      const advisory = await advisories.forPackage(ctx.name);
      if (advisory?.allVersions) {
        fail(
          'PackageMalicious',
          `${ctx.name} was confirmed malicious (${advisory.id}); nothing more can be published under this name. ` +
            'If you believe this is wrong, contact the registry administrators.',
        );
      }
    },
  };
}
