// The self-assessment as the registry serves it: the settings it was started with and the facts
// storage holds now, evaluated on every request (a few indexed reads), never cached as a checklist.
import { dateOf, type Clock } from '../clock.js';
import { assess, type AssessedSettings, type Assessment, type LiveFacts } from './assessment.js';

export interface SecurityAssessmentDeps {
  settings: AssessedSettings;
  /** Reads the live facts (critical list, signing keys) from storage. */
  live: () => Promise<LiveFacts>;
  clock: Clock;
}

export class SecurityAssessment {
  constructor(private readonly deps: SecurityAssessmentDeps) {}

  async report(): Promise<Assessment> {
    return assess(this.deps.settings, await this.deps.live(), dateOf(this.deps.clock));
  }
}
