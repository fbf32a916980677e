// Property tests of the publish document, dist-tag and version-range parsers: random JSON (and
// random changes to a valid publish body) gives a parsed request or a catalog refusal, never
// another exception; range evaluation as the unpublish check does it never throws, on any string.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ERROR_STATUS, GatehouseError } from '../../src/domain/errors.js';
import { parsePublishDocument } from '../../src/domain/packages/publish-document.js';
import { parsePackageName } from '../../src/domain/packages/names.js';
import { parseTagName } from '../../src/domain/packages/dist-tag-names.js';
import { MAX_EVALUATED_RANGE_CHARS, satisfiedBy } from '../../src/domain/packages/unpublish.js';
import { fuzzParameters } from '../support/fuzz.js';

/** Runs `parse`; a refusal must be a catalog error with a 4xx status. */
function parsedOrRefused(parse: () => unknown): 'parsed' | string {
  try {
    parse();
    return 'parsed';
  } catch (err) {
    if (!(err instanceof GatehouseError)) throw err;
    expect(Object.keys(ERROR_STATUS)).toContain(err.code);
    expect(err.status).toBeGreaterThanOrEqual(400);
    expect(err.status).toBeLessThan(500);
    return err.code;
  }
}

const NAME = parsePackageName('fuzzed');
const PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();
const TARBALL = Buffer.from('not really a tarball: the document parser only checks digests');

/** A publish body as npm sends it for fuzzed@1.0.0. */
function validBody(): Record<string, unknown> {
  const integrity = `sha512-${createHash('sha512').update(TARBALL).digest('base64')}`;
  const shasum = createHash('sha1').update(TARBALL).digest('hex');
  return {
    _id: 'fuzzed',
    name: 'fuzzed',
    'dist-tags': { latest: '1.0.0' },
    versions: {
      '1.0.0': {
        name: 'fuzzed',
        version: '1.0.0',
        dist: { integrity, shasum, tarball: 'http://registry.test/fuzzed/-/fuzzed-1.0.0.tgz' },
      },
    },
    _attachments: {
      'fuzzed-1.0.0.tgz': { content_type: 'application/octet-stream', data: TARBALL.toString('base64'), length: TARBALL.length },
    },
  };
}

/** A path into the body (keys and indexes) and a random value to put there. */
const edit = fc.record({
  path: fc.array(
    fc.oneof(
      fc.constantFrom(
        'versions',
        '1.0.0',
        'dist',
        'integrity',
        'shasum',
        '_attachments',
        'fuzzed-1.0.0.tgz',
        'data',
        'length',
        'dist-tags',
        'latest',
        'name',
        'version',
        '__proto__',
        'constructor',
        'access',
      ),
      fc.string({ maxLength: 8 }),
    ),
    { minLength: 1, maxLength: 4 },
  ),
  value: fc.jsonValue({ maxDepth: 3 }),
});

function applyEdit(body: Record<string, unknown>, path: string[], value: unknown): void {
  let at: Record<string, unknown> = body;
  for (const key of path.slice(0, -1)) {
    const next = Object.prototype.hasOwnProperty.call(at, key) ? at[key] : undefined;
    if (typeof next !== 'object' || next === null) {
      const made: Record<string, unknown> = {};
      Object.defineProperty(at, key, { value: made, enumerable: true, writable: true, configurable: true });
      at = made;
    } else at = next as Record<string, unknown>;
  }
  Object.defineProperty(at, path[path.length - 1]!, { value, enumerable: true, writable: true, configurable: true });
}

describe('publish documents under random input', () => {
  it('parses the valid body, and gives any random JSON a catalog refusal', () => {
    expect(parsedOrRefused(() => parsePublishDocument(NAME, validBody()))).toBe('parsed');
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (doc) => {
        expect(parsedOrRefused(() => parsePublishDocument(NAME, doc))).not.toBe('parsed');
      }),
      fuzzParameters(1000),
    );
  });

  it('gives a valid body with random edits (prototype keys included) a parsed request or a catalog refusal', () => {
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
        const body = validBody();
        for (const e of edits) {
          try {
            applyEdit(body, e.path, e.value);
          } catch {
            // An edit JSON cannot express (an array's length set to an object): skipped.
          }
        }
        // Whatever the outcome, the edits never reach Object.prototype.
        parsedOrRefused(() => parsePublishDocument(NAME, JSON.parse(JSON.stringify(body))));
        expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTOTYPE_KEYS);
      }),
      fuzzParameters(1000),
    );
  });
});

const rangeChars = fc.string({ unit: fc.constantFrom(...' <>=~^|-.0123456789xX*vab+'.split('')), maxLength: 300 });

describe('version ranges and dist-tags under random input', () => {
  it('evaluates any dependency range, as the unpublish check does, without throwing', () => {
    fc.assert(
      fc.property(
        fc.oneof(rangeChars, fc.string({ maxLength: 100 })),
        fc.constantFrom('1.0.0', '0.0.1-beta.1', '2.3.4'),
        (range, version) => {
          expect(typeof satisfiedBy(version, range)).toBe('boolean');
        },
      ),
      fuzzParameters(2000),
    );
  });

  it('counts a range too long to evaluate as depending, without handing it to semver', () => {
    // 100 000 comparators: semver takes seconds on this; the check answers at once.
    const huge = '>=1.0.0 '.repeat(100_000);
    expect(huge.length).toBeGreaterThan(MAX_EVALUATED_RANGE_CHARS);
    expect(satisfiedBy('9.9.9', huge)).toBe(true);
  });

  it('gives any dist-tag name a tag or TagInvalid', () => {
    fc.assert(
      fc.property(fc.oneof(rangeChars, fc.string({ maxLength: 80 }), fc.jsonValue()), (raw) => {
        const o = parsedOrRefused(() => parseTagName(raw));
        expect(['parsed', 'TagInvalid']).toContain(o);
      }),
      fuzzParameters(2000),
    );
  });
});
