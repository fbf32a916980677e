// Quarantine: a version held out of every read (packument, version document, tarball, search,
// dependents) until an administrator releases it, its number still taken. Inside the caller's
// transaction, with the event that says why, so a report's confirmation or a scanner's verdict
// and the quarantine it causes commit together. The event names the package, which drops its
// cached packument on every instance (registry.ts subscribes).
import type { Repositories } from '../store.js';
import type { Actor } from '../access/actor.js';

/** What put a version in quarantine: a confirmed report, the malware scanner, an administrator. */
export type QuarantineCause = 'report' | 'scan' | 'admin';

export interface QuarantineInput {
  packageName: string;
  version: string;
  cause: QuarantineCause;
  /** What to look at for why: a report id, a scan rule, an advisory id. No secret, no free text. */
  ref: string;
  actor: Actor;
  at: string;
}

/**
 * Puts a live version (published or staged) in quarantine. False when there is nothing to do:
 * no such version, a tombstone, or already quarantined.
 */
export async function quarantineVersion(tx: Repositories, input: QuarantineInput): Promise<boolean> {
  const { packageName, version, at } = input;
  const found = await tx.packages.version(packageName, version);
  if (!found || found.unpublishedAt || found.state === 'quarantined') return false;
  await tx.packages.setState(packageName, version, 'quarantined');
  await tx.packages.touch(packageName, { modifiedAt: at });
  await tx.events.append({
    type: 'version.quarantined',
    actor: input.actor,
    packageName,
    version,
    data: { cause: input.cause, ref: input.ref },
    createdAt: at,
  });
  return true;
}

/** Lets a quarantined version be served again (an administrator's review found it harmless). */
export async function releaseVersion(
  tx: Repositories,
  input: { packageName: string; version: string; actor: Actor; at: string; ref: string },
): Promise<boolean> {
  const found = await tx.packages.version(input.packageName, input.version);
  if (!found || found.unpublishedAt || found.state !== 'quarantined') return false;
  await tx.packages.setState(input.packageName, input.version, 'published');
  await tx.packages.touch(input.packageName, { modifiedAt: input.at });
  await tx.events.append({
    type: 'version.released',
    actor: input.actor,
    packageName: input.packageName,
    version: input.version,
    data: { ref: input.ref },
    createdAt: input.at,
  });
  return true;
}
