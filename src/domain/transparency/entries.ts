// Which events are leaves of the transparency log, and each leaf's bytes. A leaf is the event's
// canonical encoding (domain/events/encoding.ts), so a publish leaf binds name@version to the
// tarball's sha512 `integrity`: anyone replaying the log can check that no name@version ever had
// two digests. Imports nothing from storage or http.
import { createHash } from 'node:crypto';
import type { EventType, RegistryEvent } from '../events/store.js';
import { canonicalJson, encodeEvent } from '../events/encoding.js';
import { MAX_ENTRY_BYTES } from './tiles.js';

/**
 * Every event that changes what clients see. New kinds that do (a version quarantined or released,
 * for example) are added here, at the end, and nowhere else.
 */
export const LOGGED_EVENTS: ReadonlySet<EventType> = new Set<EventType>([
  'package.published',
  'version.imported',
  'package.unpublished',
  'version.unpublished',
  'version.deprecated',
  'version.undeprecated',
  'dist_tag.set',
  'dist_tag.removed',
  'owner.added',
  'owner.removed',
  'package.visibility_set',
  'trusted_publisher.added',
  'trusted_publisher.removed',
  'trusted_publisher.pending_used',
  'version.signed',
  'signing_key.rotated',
  'version.quarantined',
  'version.released',
  'malicious_advisory.published',
  'version.rejected',
]);

/** The event kinds whose leaf says which tarball a name@version is: what `gatehouse verify` looks up. */
export const PUBLISH_EVENTS: ReadonlySet<EventType> = new Set<EventType>(['package.published', 'version.imported']);

/**
 * The leaf bytes of `event`. An entry bundle prefixes each entry with a 16-bit length, so an event
 * whose encoding would not fit (a deprecation message of tens of kilobytes) is logged with its
 * `data` replaced by the SHA-256 of that data's canonical JSON: still bound, no longer readable.
 */
export function leafEntry(event: RegistryEvent): Buffer {
  const entry = encodeEvent(event);
  if (entry.length <= MAX_ENTRY_BYTES) return entry;
  const digest = createHash('sha256').update(canonicalJson(event.data), 'utf8').digest('hex');
  return encodeEvent({ ...event, data: { dataSha256: digest } } as unknown as RegistryEvent);
}
