// Property tests of the tarball reader (tar-reader.ts, tarball.ts, tarball-inspection.ts), the
// parser every publish feeds with attacker-controlled bytes: random bytes, random gzip, and
// well-formed archives with random damage never crash it and never hang it; each ends in an
// accepted summary or a catalog refusal. Whatever it accepts, npm's node-tar reads the same way.
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ERROR_STATUS, GatehouseError } from '../../src/domain/errors.js';
import { inspectTarball, type TarballLimits } from '../../src/domain/packages/tarball.js';
import { BLOCK, dir, END, file, gnuLong, manifest, pax, paxRecord, tgz } from '../fixtures/tar-crafting.js';
import { nodeTarView, registryView } from '../fixtures/tar-views.js';
import { fuzzParameters } from '../support/fuzz.js';

// Small limits, so the size and count refusals are reachable by small random inputs.
const LIMITS: TarballLimits = { maxUnpackedBytes: 64 * 1024, maxFileCount: 20, maxPathDepth: 6, maxPackageJsonBytes: 16 * 1024 };

type Outcome = { accepted: true } | { accepted: false; code: string };

/** The reader's answer, which must be a summary or a catalog refusal: anything else fails the property. */
async function outcome(bytes: Buffer): Promise<Outcome> {
  try {
    const summary = await inspectTarball(bytes, LIMITS, { budgetMs: 5000 });
    expect(typeof summary.packageJson).toBe('object');
    expect(summary.fileCount).toBeLessThanOrEqual(LIMITS.maxFileCount);
    expect(summary.unpackedSize).toBeLessThanOrEqual(LIMITS.maxUnpackedBytes);
    return { accepted: true };
  } catch (err) {
    if (!(err instanceof GatehouseError)) throw err;
    expect(Object.keys(ERROR_STATUS)).toContain(err.code);
    expect(err.status).toBeGreaterThanOrEqual(400);
    expect(err.status).toBeLessThan(500);
    return { accepted: false, code: err.code };
  }
}

/**
 * A small, valid package archive as npm packs one, uncompressed, from random file names and bodies.
 * Kept as its description (shown when a property fails) and built with `build`.
 */
const archive = fc.record({
  files: fc
    .array(
      fc.record({
        name: fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,11}(\/[a-z0-9][a-z0-9._-]{0,11}){0,2}$/),
        body: fc.string({ maxLength: 700 }),
      }),
      { maxLength: 5 },
    )
    // A file where another entry needs a folder is a broken archive, refused on purpose: not generated.
    .filter((files) => {
      const paths = [...files.map((f) => f.name), 'package.json', 'lib/from-pax.js', 'deep/deep/deep/x.js'];
      return !paths.some((p) => paths.some((q) => q.startsWith(`${p}/`)));
    }),
  withDir: fc.boolean(),
  withPax: fc.boolean(),
  withLongName: fc.boolean(),
});
type Archive = typeof archive extends fc.Arbitrary<infer A> ? A : never;

function build({ files, withDir, withPax, withLongName }: Archive): Buffer {
  return Buffer.concat([
    ...(withDir ? [dir('package/')] : []),
    file('package/package.json', manifest({ description: 'fuzzed' })),
    ...(withPax ? [pax([paxRecord('path', 'package/lib/from-pax.js')]), file('package/ignored-name', 'pax')] : []),
    ...(withLongName ? [gnuLong(`package/${'deep/'.repeat(3)}${'n'.repeat(90)}.js`), file('package/short', 'long')] : []),
    ...files.map((f) => file(`package/${f.name}`, f.body)),
    END,
  ]);
}

/** Damage to an archive: bytes overwritten, a cut, or blocks inserted, anywhere (headers included). */
const damage = fc.oneof(
  fc.record({ kind: fc.constant('overwrite' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 2 * BLOCK }) }),
  // Bytes overwritten inside one header block, where the fields are.
  fc.record({
    kind: fc.constant('header' as const),
    block: fc.nat(),
    at: fc.nat({ max: BLOCK - 1 }),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
  // A size field set to a random octal number: bodies that run past the end, or swallow headers.
  fc.record({ kind: fc.constant('size' as const), block: fc.nat(), size: fc.nat({ max: 0o7777777 }) }),
);

function damaged(
  tar: Buffer,
  changes: { kind: string; at?: number; bytes?: Uint8Array; block?: number; size?: number }[],
): Buffer {
  let out = Buffer.from(tar);
  for (const c of changes) {
    const at = c.kind === 'header' ? 0 : (c.at ?? 0) % Math.max(1, out.length);
    if (c.kind === 'overwrite') Buffer.from(c.bytes!).copy(out, at);
    else if (c.kind === 'truncate') out = out.subarray(0, at);
    else if (c.kind === 'insert') out = Buffer.concat([out.subarray(0, at), Buffer.from(c.bytes!), out.subarray(at)]);
    else if (c.kind === 'header' && out.length >= BLOCK) {
      const start = ((c.block ?? 0) % Math.floor(out.length / BLOCK)) * BLOCK;
      Buffer.from(c.bytes!).copy(out, start + (c.at ?? 0), 0, Math.max(0, BLOCK - (c.at ?? 0)));
    } else if (c.kind === 'size' && out.length >= BLOCK) {
      const offset = ((c.block ?? 0) % Math.floor(out.length / BLOCK)) * BLOCK + 124;
      out.write(`${(c.size ?? 0).toString(8).padStart(11, '0')}\0`, offset, 12, 'latin1');
    }
  }
  return out;
}

const codes = new Map<string, number>();
/** Tallies how the damaged-archive cases ended. */
function count(o: Outcome): void {
  const key = o.accepted ? 'accepted' : o.code;
  codes.set(key, (codes.get(key) ?? 0) + 1);
}

describe('tarball reader under random input', () => {
  it('refuses random bytes and random gzip streams with a catalog code', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), fc.boolean(), async (bytes, compress) => {
        const o = await outcome(compress ? gzipSync(Buffer.from(bytes)) : Buffer.from(bytes));
        // Random bytes are never a package: there is no package/package.json to find.
        expect(o.accepted).toBe(false);
      }),
      fuzzParameters(300),
    );
  });

  it('accepts every undamaged archive, and gives a damaged one a summary or a catalog refusal', async () => {
    await fc.assert(
      fc.asyncProperty(archive, fc.array(damage, { maxLength: 3 }), async (described, changes) => {
        const tar = build(described);
        if (changes.length === 0) expect(await outcome(tgz(tar))).toEqual({ accepted: true });
        const o = await outcome(tgz(damaged(tar, changes)));
        count(o);
      }),
      fuzzParameters(400),
    );
    // Printed, not asserted: how the cases ended, to see that the damage reaches the refusals.
    console.log('tarball property outcomes:', Object.fromEntries(codes));
  });

  it('reads every damaged archive it accepts as node-tar (npm, yarn 4) does', async () => {
    await fc.assert(
      fc.asyncProperty(archive, fc.array(damage, { minLength: 1, maxLength: 2 }), async (described, changes) => {
        const bytes = tgz(damaged(build(described), changes));
        if (!(await outcome(bytes)).accepted) return;
        const [ours, npm] = await Promise.all([registryView(bytes), nodeTarView(bytes)]);
        expect(npm.error).toBeUndefined();
        expect({ entries: npm.entries, packageJson: npm.packageJson }).toEqual({
          entries: ours.entries,
          packageJson: ours.packageJson,
        });
      }),
      fuzzParameters(300),
    );
  });
});
