// What staged publishing keeps beside the version row (whose state is `staged` until approval):
// the stage npm addresses by id, with the dist-tag fixed when it was staged, and which packages
// take new versions only through a stage.

export interface StageRecord {
  /** A random UUID, the `<stage-id>` of npm's stage commands. */
  id: string;
  packageName: string;
  version: string;
  /** Fixed at stage time; approval sets exactly this dist-tag. */
  tag: string;
  /** Who staged it, as `npm stage view` prints it: a user's name or a trusted publisher's description. */
  actorName: string;
  actorType: 'user' | 'trusted-publisher';
  createdAt: string;
}

export interface StageStore {
  insert(stage: StageRecord): Promise<void>;
  get(id: string): Promise<StageRecord | undefined>;
  /** Every stage, or one package's, oldest first; the service keeps those the caller maintains. */
  list(packageName?: string): Promise<StageRecord[]>;
  /** True when this call removed it, so two approvals (or an approval and a rejection) cannot both win. */
  remove(id: string): Promise<boolean>;
  requiresStaging(packageName: string): Promise<boolean>;
  setRequiresStaging(packageName: string, required: boolean, at: string): Promise<void>;
}
