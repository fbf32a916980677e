// The publish domain wired in one place. Import (`gatehouse import`) reuses the version checks
// and the stored fields, never the pipeline: it has no principal and keeps original publish times.
export { PublishPipeline, PUBLISH_STEPS, FIRST_BODY_STEP, type PublishStep, type StepPosition } from './pipeline.js';
export type { PublishContext, PublishDeps, Published } from './context.js';
export { checkVersion, type CheckedVersion } from './check-version.js';
export { dependencyEdges, searchFields } from './stored-fields.js';
