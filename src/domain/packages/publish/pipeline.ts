// The publish pipeline: named steps run in order over one PublishContext, in the design's order
// (docs: DESIGN.md "Publish pipeline"). A track adds a step as its own file and registers it at a
// named position (`add(step, { after: 'authorize' })`), never by editing another step. Steps
// placed before "validate-document" run before the body is read (mayPublish), so they must not
// need it; each step runs once per request whichever way it is reached.
import type { RequestContext } from '../../access/context.js';
import type { PackageName } from '../names.js';
import { newPublishContext, type PublishContext, type PublishDeps, type PublishMode, type Published } from './context.js';
import { authenticate } from './authenticate.js';
import { authorize } from './authorize.js';
import { validateDocument } from './validate-document.js';
import { policy } from './policy.js';
import { inspectTarball } from './inspect-tarball.js';
import { storeBlob } from './store-blob.js';
import { commit } from './commit.js';
import { afterCommit } from './after-commit.js';

export interface PublishStep {
  /** Unique; other steps are placed relative to it. */
  readonly name: string;
  /** Refuses by throwing a catalog error; nothing after a refusal runs. */
  run(ctx: PublishContext, deps: PublishDeps): void | Promise<void>;
}

export type StepPosition = { before: string } | { after: string };

/** The first step that needs the body: every step before it can run before the body arrives. */
export const FIRST_BODY_STEP = 'validate-document';

export const PUBLISH_STEPS: readonly PublishStep[] = [
  authenticate,
  authorize,
  validateDocument,
  policy,
  inspectTarball,
  storeBlob,
  commit,
  afterCommit,
];

export class PublishPipeline {
  private readonly steps: PublishStep[] = [...PUBLISH_STEPS];
  /** Requests whose early steps passed before their body was read, so they are not run twice. */
  private readonly checkedEarly = new WeakMap<RequestContext, PublishContext>();

  constructor(private readonly deps: PublishDeps) {}

  /** The step names in the order they run. */
  names(): string[] {
    return this.steps.map((s) => s.name);
  }

  /** Registers `step` just before or after the named one. */
  add(step: PublishStep, position: StepPosition): void {
    if (this.steps.some((s) => s.name === step.name)) throw new Error(`gatehouse: publish step "${step.name}" exists already`);
    const anchor = 'before' in position ? position.before : position.after;
    const at = this.steps.findIndex((s) => s.name === anchor);
    if (at < 0) throw new Error(`gatehouse: no publish step "${anchor}" to place "${step.name}" next to`);
    this.steps.splice('before' in position ? at : at + 1, 0, step);
  }

  /**
   * The steps before the body (authenticate, authorize and what tracks put there), for the HTTP
   * edge to refuse a large body before reading it. Throws the refusal; returns when they pass.
   */
  async mayPublish(request: RequestContext, name: PackageName, mode: PublishMode = {}): Promise<void> {
    const ctx = newPublishContext(request, name, undefined, mode);
    await this.runSteps(ctx, 0, this.bodyStep());
    this.checkedEarly.set(request, ctx);
  }

  async publish(request: RequestContext, name: PackageName, body: unknown, mode: PublishMode = {}): Promise<Published> {
    const early = this.checkedEarly.get(request);
    this.checkedEarly.delete(request);
    const resumed = early !== undefined && early.name === name && early.stage === (mode.stage === true);
    const ctx = resumed ? early : newPublishContext(request, name, body, mode);
    ctx.body = body;
    await this.runSteps(ctx, resumed ? this.bodyStep() : 0, this.steps.length);
    if (!ctx.published) throw new Error('gatehouse: the publish pipeline ended without an answer');
    return ctx.published;
  }

  private bodyStep(): number {
    return this.steps.findIndex((s) => s.name === FIRST_BODY_STEP);
  }

  private async runSteps(ctx: PublishContext, from: number, to: number): Promise<void> {
    for (const step of this.steps.slice(from, to)) await step.run(ctx, this.deps);
  }
}
