// The whole feed as one zip of `<id>.json` files, the layout of osv.dev's per-ecosystem all.zip,
// which osv-scanner's offline databases and other OSV importers download. fflate writes it: no
// dependencies, pure JavaScript, and it runs on Node 20. Deterministic: each entry's time is its
// record's `modified`, so the same records give the same bytes (and ETag) on every instance.
import { zipSync, type Zippable } from 'fflate';
import type { OsvRecord } from './osv.js';

export function osvArchive(records: OsvRecord[]): Buffer {
  const files: Zippable = {};
  for (const record of records) {
    files[`${record.id}.json`] = [
      Buffer.from(`${JSON.stringify(record, null, 2)}\n`, 'utf8'),
      // DOS times cannot say before 1980; fflate refuses them.
      { mtime: Math.max(Date.parse(record.modified), Date.UTC(1980, 0, 2)), level: 6 },
    ];
  }
  return Buffer.from(zipSync(files));
}
