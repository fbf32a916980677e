// Reads OSV records from what `gatehouse advisories import` is given: one .json file (a record or a
// list of records), a folder (every *.json below it), or a .zip (osv.dev's all.zip: one record per
// entry). Yields each record with the file it came from; an entry that is not JSON is yielded as an
// error, so the import reports it and goes on. yauzl reads the zip's central directory and streams
// one entry at a time, so a large archive never sits in memory; entries are capped in size.
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import yauzl from 'yauzl';
import { SourceUnreadable, type OsvSources, type SourcedRecord } from '../../domain/advisories/sources.js';

/** One record is kilobytes; a file this large is not an OSV record. */
const MAX_RECORD_BYTES = 16 * 1024 * 1024;

function parseJson(file: string, text: string): SourcedRecord[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.map((json, i) => ({ file: `${file}[${i}]`, json })) : [{ file, json: value }];
  } catch (err) {
    return [{ file, error: `not JSON: ${(err as Error).message}` }];
  }
}

async function* jsonFile(path: string, label: string): AsyncGenerator<SourcedRecord> {
  const { size } = await stat(path);
  if (size > MAX_RECORD_BYTES) {
    yield { file: label, error: `larger than ${MAX_RECORD_BYTES} bytes` };
    return;
  }
  yield* parseJson(label, await readFile(path, 'utf8'));
}

async function* folder(root: string, relative = ''): AsyncGenerator<SourcedRecord> {
  const entries = await readdir(join(root, relative), { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const path = relative ? join(relative, entry.name) : entry.name;
    if (entry.isDirectory()) yield* folder(root, path);
    else if (entry.isFile() && entry.name.endsWith('.json')) yield* jsonFile(join(root, path), path);
  }
}

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: false, strictFileNames: false, validateEntrySizes: true }, (err, zip) =>
      err ? reject(err) : resolve(zip),
    ),
  );
}

function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<string> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => {
      if (err) return reject(err);
      const parts: Buffer[] = [];
      let seen = 0;
      stream.on('data', (chunk: Buffer) => {
        seen += chunk.length;
        // the declared size can lie; validateEntrySizes catches it only at the end
        if (seen > MAX_RECORD_BYTES) stream.destroy(new Error(`larger than ${MAX_RECORD_BYTES} bytes`));
        else parts.push(chunk);
      });
      stream.on('error', reject);
      stream.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    });
  });
}

function nextEntry(zip: yauzl.ZipFile): Promise<yauzl.Entry | undefined> {
  return new Promise((resolve, reject) => {
    const done = () => {
      zip.off('entry', onEntry).off('end', onEnd).off('error', onError);
    };
    const onEntry = (entry: yauzl.Entry) => (done(), resolve(entry));
    const onEnd = () => (done(), resolve(undefined));
    const onError = (err: Error) => (done(), reject(err));
    zip.on('entry', onEntry).on('end', onEnd).on('error', onError);
    zip.readEntry();
  });
}

async function* zipFile(path: string, zip: yauzl.ZipFile): AsyncGenerator<SourcedRecord> {
  const label = basename(path);
  try {
    for (let entry = await nextEntry(zip); entry; entry = await nextEntry(zip)) {
      if (!entry.fileName.endsWith('.json')) continue;
      const name = `${label}:${entry.fileName}`;
      if (entry.uncompressedSize > MAX_RECORD_BYTES) {
        yield { file: name, error: `larger than ${MAX_RECORD_BYTES} bytes` };
        continue;
      }
      let text: string;
      try {
        text = await readEntry(zip, entry);
      } catch (err) {
        yield { file: name, error: `unreadable zip entry: ${(err as Error).message}` };
        continue;
      }
      yield* parseJson(name, text);
    }
  } finally {
    zip.close();
  }
}

/**
 * Opens `path` (so a missing file or a broken zip fails here, before any import) and returns its
 * records. Throws SourceUnreadable with the reason when it cannot be opened.
 */
export async function openOsvSource(path: string): Promise<AsyncIterable<SourcedRecord>> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) return folder(path);
    if (path.toLowerCase().endsWith('.zip')) return zipFile(path, await openZip(path));
    return jsonFile(path, basename(path));
  } catch (err) {
    throw new SourceUnreadable(`${path} cannot be read: ${(err as Error).message}`);
  }
}

export const OSV_FILES: OsvSources = { open: openOsvSource };
