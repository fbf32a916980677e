// The security self-assessment wired in one place: settings from the configuration, live facts
// from the critical-package list and the signing keys.
import type { Clock } from '../clock.js';
import type { Store } from '../store.js';
import type { AssessedSettings } from './assessment.js';
import { SecurityAssessment } from './service.js';

export function wireSecurityAssessment(deps: { settings: AssessedSettings; store: Store; clock: Clock }): SecurityAssessment {
  return new SecurityAssessment({
    settings: deps.settings,
    clock: deps.clock,
    live: async () => {
      const [critical, keys] = await Promise.all([deps.store.critical.list(), deps.store.signingKeys.all()]);
      return { criticalPackages: critical.length, signingKeys: keys.length };
    },
  });
}
