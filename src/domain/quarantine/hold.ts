// Putting a version in quarantine, the one way every cause does it (the malware scan at publish,
// a confirmed report, an administrator): the version's state becomes `quarantined` (held out of
// every read but its owners' and the administrators'), its review row waits, and one
// `version.quarantined` event says why, all inside the caller's transaction, so the verdict or
// confirmation and the quarantine it causes commit together. The event names the package, which
// drops its cached packument on every instance (registry.ts subscribes).
import type { Repositories } from '../store.js';
import type { Actor } from '../access/actor.js';
import type { QuarantineCause } from './store.js';

export interface QuarantineInput {
  packageName: string;
  version: string;
  cause: QuarantineCause;
  /** What to look at for why: `report:<id>`, `scan:<rules>`, an advisory id. No secret, no free text. */
  ref: string;
  actor: Actor;
  at: string;
}

/**
 * Quarantines a live version (published or staged). False when there is nothing to do: no such
 * version, a tombstone, or already quarantined.
 */
export async function quarantineVersion(tx: Repositories, input: QuarantineInput): Promise<boolean> {
  const { packageName, version, at } = input;
  const found = await tx.packages.version(packageName, version);
  if (!found || found.unpublishedAt || found.state === 'quarantined') return false;
  await tx.packages.setState(packageName, version, 'quarantined');
  await tx.packages.touch(packageName, { modifiedAt: at });
  await held(tx, input, { tag: null, publisher: '' });
  return true;
}

/** `versions` ('all': every live one) quarantined; returns those this call put in quarantine. */
export async function quarantineVersions(
  tx: Repositories,
  input: Omit<QuarantineInput, 'version'> & { versions: string[] | 'all' },
): Promise<string[]> {
  const named =
    input.versions === 'all'
      ? (await tx.packages.versions(input.packageName, { readmes: false })).filter((v) => !v.unpublishedAt).map((v) => v.version)
      : input.versions;
  const done: string[] = [];
  for (const version of named) if (await quarantineVersion(tx, { ...input, version })) done.push(version);
  return done;
}

/**
 * A version the publish commits already quarantined (its row was just written in that state, with
 * no dist-tag and no package.published event): its review waits with the tag the release moves.
 */
export async function holdAtPublish(
  tx: Repositories,
  input: QuarantineInput & { tag: string; publisher: string },
): Promise<void> {
  await held(tx, input, { tag: input.tag, publisher: input.publisher });
}

async function held(tx: Repositories, input: QuarantineInput, how: { tag: string | null; publisher: string }): Promise<void> {
  await tx.quarantines.hold({
    packageName: input.packageName,
    version: input.version,
    cause: input.cause,
    ref: input.ref,
    tag: how.tag,
    publisher: how.publisher,
    heldAt: input.at,
    review: 'pending',
    reviewedBy: null,
    reviewedAt: null,
    reviewNote: null,
  });
  await tx.events.append({
    type: 'version.quarantined',
    actor: input.actor,
    packageName: input.packageName,
    version: input.version,
    data: {
      cause: input.cause,
      ref: input.ref,
      ...(how.tag !== null && { tag: how.tag }),
      ...(how.publisher !== '' && { publisher: how.publisher }),
    },
    createdAt: input.at,
  });
}
