// Every read answer (packument full and abbreviated, version document, tarball, 404, 304), built
// once as ready bytes and written by the one function here, so the fast path and the framework
// path cannot drift apart. It never decides who may read what: callers have done that already.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import semver from 'semver';
import {
  readyDocument,
  type CachedPackage,
  type ReadyDocument,
  type TarballEntry,
} from '../../domain/packages/packument-cache.js';
import type { OpenBlob } from '../../domain/packages/blobs.js';
import type { ErrorCode } from '../../domain/errors.js';
import { errorBody } from '../errors.js';
import { ifNoneMatchHits } from './if-none-match.js';

export const ABBREVIATED = 'application/vnd.npm.install-v1+json';
const JSON_TYPE = 'application/json; charset=utf-8';
// Revalidate every time: a deprecation or unpublish must reach clients at once; 304s are cheap.
const REVALIDATE = 'public, max-age=0, must-revalidate';
// The bytes behind a tarball URL never change (name@version is never reused).
const IMMUTABLE = 'public, max-age=31536000, immutable';

export type FoundPackage = Extract<CachedPackage, { kind: 'found' }>;
export type MissingPackage = Extract<CachedPackage, { kind: 'missing' }>;

/** One answer's status and headers, as flat `[name, value, …]` lists built once: a read allocates none. */
export interface ReadAnswer {
  status: number;
  head: string[];
  /** Absent when the answer has no validator (a 404). */
  etag?: string;
  notModified?: string[];
  /** Absent for a tarball: its bytes come from the tarball cache or the blob file. */
  body?: Buffer;
}

const documentAnswers = new WeakMap<ReadyDocument, ReadAnswer>();

function documentAnswer(doc: ReadyDocument, type: string, vary: boolean): ReadAnswer {
  let answer = documentAnswers.get(doc);
  if (answer) return answer;
  const validators = vary
    ? ['etag', doc.etag, 'vary', 'accept', 'cache-control', REVALIDATE]
    : ['etag', doc.etag, 'cache-control', REVALIDATE];
  answer = {
    status: 200,
    head: [...validators, 'content-type', type, 'content-length', String(doc.body.length)],
    etag: doc.etag,
    notModified: validators,
    body: doc.body,
  };
  documentAnswers.set(doc, answer);
  return answer;
}

/** npm's Accept for installs names the abbreviated type; anything else gets the full document. */
export function packumentAnswer(entry: FoundPackage, accept: string | undefined): ReadAnswer {
  return accept !== undefined && accept.includes(ABBREVIATED)
    ? documentAnswer(entry.abbreviated, ABBREVIATED, true)
    : documentAnswer(entry.full, JSON_TYPE, true);
}

const missingAnswers = new WeakMap<MissingPackage, ReadAnswer>();

/** A 404 with the catalog code the framework path would give, so both paths send the same bytes. */
export function notFoundAnswer(message: string, code: Extract<ErrorCode, `${string}NotFound`>): ReadAnswer {
  const body = Buffer.from(JSON.stringify(errorBody(message, code)));
  return { status: 404, head: ['content-type', JSON_TYPE, 'content-length', String(body.length)], body };
}

export function missingAnswer(entry: MissingPackage): ReadAnswer {
  let answer = missingAnswers.get(entry);
  if (!answer) missingAnswers.set(entry, (answer = notFoundAnswer(entry.message, 'PackageNotFound')));
  return answer;
}

// Version documents of a cached package, by the spec that asked for them (an exact version or a
// dist-tag only: a range is resolved per request, or anyone could grow this with made-up ranges).
const versionAnswers = new WeakMap<FoundPackage, Map<string, ReadAnswer>>();

/** The memoised answer for `spec`, if a read has built it; never parses anything (the fast path). */
export function peekVersionAnswer(entry: FoundPackage, spec: string): ReadAnswer | undefined {
  return versionAnswers.get(entry)?.get(spec);
}

/**
 * `GET /<name>/<version|tag|range>`: undefined when nothing matches. `kept` hears the bytes of each
 * answer this memoises, so the read cache can count them against its budget.
 */
export function versionAnswer(entry: FoundPackage, spec: string, kept?: (bytes: number) => void): ReadAnswer | undefined {
  const known = peekVersionAnswer(entry, spec);
  if (known) return known;
  const doc = JSON.parse(entry.full.body.toString('utf8')) as {
    'dist-tags': Record<string, string>;
    versions: Record<string, unknown>;
  };
  const tagged = Object.hasOwn(doc['dist-tags'], spec) ? doc['dist-tags'][spec] : undefined;
  const version = tagged ?? (Object.hasOwn(doc.versions, spec) ? spec : semver.maxSatisfying(Object.keys(doc.versions), spec));
  if (version == null || !Object.hasOwn(doc.versions, version)) return undefined;
  let memo = versionAnswers.get(entry);
  if (!memo) versionAnswers.set(entry, (memo = new Map()));
  let answer = memo.get(version);
  if (!answer) {
    answer = documentAnswer(readyDocument(doc.versions[version]), JSON_TYPE, false);
    kept?.(answer.body!.length + 200);
  }
  memo.set(version, answer);
  if (tagged !== undefined) memo.set(spec, answer);
  return answer;
}

/** A document only this reader may see (a held version's, for its owners): no validator, never kept by a cache. */
export function privateDocumentAnswer(doc: unknown, type: string = JSON_TYPE): ReadAnswer {
  const body = Buffer.from(JSON.stringify(doc));
  return {
    status: 200,
    head: ['cache-control', 'private, no-store', 'content-type', type, 'content-length', String(body.length)],
    body,
  };
}

const tarballAnswers = new WeakMap<TarballEntry, ReadAnswer>();

export function tarballAnswer(tarball: TarballEntry): ReadAnswer {
  let answer = tarballAnswers.get(tarball);
  if (answer) return answer;
  const etag = `"${tarball.blob.slice(0, 32)}"`;
  // A held version's bytes go to its owners only: no shared cache may keep them for others.
  const validators = ['etag', etag, 'cache-control', tarball.held ? 'private, no-store' : IMMUTABLE];
  answer = {
    status: 200,
    head: [...validators, 'content-type', 'application/octet-stream', 'content-length', String(tarball.size)],
    etag,
    notModified: validators,
  };
  tarballAnswers.set(tarball, answer);
  return answer;
}

export function notModified(req: IncomingMessage, answer: ReadAnswer): boolean {
  return answer.etag !== undefined && ifNoneMatchHits(req.headers['if-none-match'], answer.etag);
}

function writeHead(res: ServerResponse, status: number, head: string[], extra: string[] | undefined): void {
  res.writeHead(status, extra === undefined ? head : [...head, ...extra]);
}

/**
 * Writes `answer` (a 304 when If-None-Match matches its ETag). `extra` are headers only the
 * framework path adds (its request id); everything else is the same bytes on both paths.
 */
export function sendAnswer(
  req: IncomingMessage,
  res: ServerResponse,
  answer: ReadAnswer,
  extra?: string[],
  body: Buffer | undefined = answer.body,
): void {
  if (notModified(req, answer)) {
    writeHead(res, 304, answer.notModified!, extra);
    res.end();
    return;
  }
  writeHead(res, answer.status, answer.head, extra);
  res.end(req.method === 'HEAD' ? undefined : body);
}

/**
 * The one place a tarball is sent, from memory or from its opened blob (released here). Bytes
 * from memory go out at once, with no promise: this is the hottest answer there is.
 */
export function sendTarball(
  req: IncomingMessage,
  res: ServerResponse,
  answer: ReadAnswer,
  bytes: Buffer | OpenBlob,
  extra?: string[],
): Promise<void> | undefined {
  if (Buffer.isBuffer(bytes)) {
    sendAnswer(req, res, answer, extra, bytes);
    return undefined;
  }
  if (notModified(req, answer) || req.method === 'HEAD') {
    bytes.stream.destroy();
    sendAnswer(req, res, answer, extra);
    return undefined;
  }
  writeHead(res, answer.status, answer.head, extra);
  // A failure mid-body cuts the connection, which a client sees as a short read rather than a
  // wrong tarball; pipeline destroys the blob's stream either way, which releases it.
  return pipeline(bytes.stream, res).catch(() => {
    res.destroy();
  });
}
