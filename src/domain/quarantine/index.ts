// The quarantine domain wired in one place: the review service. Holding a version is done inside
// other domains' transactions (hold.ts: the scan's publish step, report confirmation, MAL- advisories).
import { QuarantineService, type QuarantineDeps } from './service.js';

export function wireQuarantine(deps: QuarantineDeps): { quarantine: QuarantineService } {
  return { quarantine: new QuarantineService(deps) };
}

export { QuarantineService, type QuarantineEntry } from './service.js';
export { quarantineVersion, quarantineVersions, holdAtPublish } from './hold.js';
