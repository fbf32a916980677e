// The staging domain wired in one place: the service the stage routes and the package page call,
// and the publish step that holds packages requiring staging to it.
import type { PackageService } from '../packages/service.js';
import { StagingService, type StagingDeps } from './service.js';
import { stagingRequiredStep } from './publish-step.js';

export function wireStaging(deps: StagingDeps & { packages: PackageService }): { staging: StagingService } {
  deps.packages.addPublishStep(stagingRequiredStep(deps.store.stages), { after: 'authorize' });
  return { staging: new StagingService(deps) };
}
