// Where imported OSV records come from, as the domain sees it: something that opens a path (a
// file, a folder, a zip) and yields records one at a time. The filesystem version is
// adapters/osv/files.ts, wired by the composition root.

/** A record as a source yields it: parsed JSON, or why its file could not be read. */
export type SourcedRecord = { file: string; json: unknown; error?: undefined } | { file: string; error: string };

export interface OsvSources {
  /** Opens `path` at once (throwing SourceUnreadable when it cannot be) and returns its records. */
  open(path: string): Promise<AsyncIterable<SourcedRecord>>;
}

/** The path itself cannot be opened: missing, unreadable, or not a zip it claims to be. */
export class SourceUnreadable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SourceUnreadable';
  }
}
