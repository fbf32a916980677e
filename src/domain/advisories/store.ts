// What the advisories domain stores (the Kysely version is storage/db/advisories.ts): one row per
// OSV record, kept by its id and replaced only by a newer `modified`, and one row per npm package
// it affects. Withdrawn records stay stored (a re-import must not resurrect them) but are never answered.
import type { Advisory } from './osv.js';

export interface StoredAdvisory extends Advisory {
  /** npm's numeric advisory id (its `source`), stable across re-imports of the record. */
  number: number;
}

export interface AdvisoryStore {
  /** The stored `modified` time of each of these ids that is stored. */
  modifiedOf(ids: string[]): Promise<Map<string, string>>;
  /**
   * Inserts or replaces each record and its packages in a few statements (an import writes
   * thousands); `record` is the OSV JSON as imported. A replaced record keeps its `number`.
   */
  upsertMany(items: { advisory: Advisory; record: string }[]): Promise<void>;
  /** Live (not withdrawn) advisories affecting any of `names`, each with only its entries for those names. */
  forPackages(names: string[]): Promise<StoredAdvisory[]>;
  /** Live records whose id starts with `prefix` (MAL-) affecting `name`, with the OSV JSON as imported. */
  withPrefix(prefix: string, name: string): Promise<(StoredAdvisory & { record: string })[]>;
  /** How many live records are stored. */
  count(): Promise<number>;
}
