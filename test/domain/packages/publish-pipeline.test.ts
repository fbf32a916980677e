// Publish is ordered, named steps over one context (src/domain/packages/publish/). The tracks add
// their steps (OTP, MFA policy, staging, scanning, provenance) at a named position; these tests are
// that seam: a registered step runs where it was put, and its refusal leaves nothing stored.
import { createHash, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ENGINES } from '../../support/engines.js';
import { startRegistry, type TestRegistry } from '../../support/registry.js';
import { packageBuilder } from '../../fixtures/package-builder.js';
import { fail } from '../../../src/domain/errors.js';
import type { Sha512Hex } from '../../../src/domain/packages/blobs.js';
import type { PublishContext, PublishStep } from '../../../src/domain/packages/publish/index.js';

const DESIGN_ORDER = [
  'authenticate',
  'authorize',
  // domain/staging: a package that requires staging takes no direct publish
  'staging-required',
  // domain/mfa: one-time passwords and the maintainer MFA policy, before the body is read
  'second-factor',
  // domain/malicious: a package confirmed malicious as a whole takes no new version
  'malicious-package',
  'validate-document',
  'policy',
  // domain/names: the typosquatting check of a new name
  'typosquatting',
  'inspect-tarball',
  // domain/provenance: a Sigstore bundle verified, and the package's provenance continuity
  'verify-provenance',
  // domain/scanning: the malware scan's verdict, from the inspection's scanner pass
  'malware-scan',
  'store-blob',
  'commit',
  'after-commit',
];

/** What the context holds when a step runs: which earlier steps have filled it in. */
function stateOf(ctx: PublishContext): string[] {
  const filled: [string, unknown][] = [
    ['facts', ctx.facts],
    ['document', ctx.document],
    ['checked', ctx.checked],
    ['blob', ctx.blob],
    ['publishedAt', ctx.publishedAt],
    ['published', ctx.published],
  ];
  return filled.filter(([, value]) => value !== undefined).map(([name]) => name);
}

for (const engine of ENGINES) {
  describe(`publish steps (${engine})`, () => {
    let r: TestRegistry;
    afterEach(() => r.close());

    it('run in the order of the design, each seeing what the steps before it found', async () => {
      r = await startRegistry(engine);
      const alice = await r.createUser('alice');
      expect(r.registry.packages.publishSteps()).toEqual(DESIGN_ORDER);
      const seen: [string, string[]][] = [];
      for (const anchor of DESIGN_ORDER) {
        const probe: PublishStep = { name: `probe-after-${anchor}`, run: (ctx) => void seen.push([anchor, stateOf(ctx)]) };
        r.registry.packages.addPublishStep(probe, { after: anchor });
      }
      expect((await r.publish(alice, packageBuilder('ordered', '1.0.0'))).statusCode).toBe(201);
      expect(seen).toEqual([
        ['authenticate', []],
        ['authorize', ['facts']],
        ['staging-required', ['facts']],
        ['second-factor', ['facts']],
        ['malicious-package', ['facts']],
        ['validate-document', ['facts', 'document']],
        ['policy', ['facts', 'document']],
        ['typosquatting', ['facts', 'document']],
        ['inspect-tarball', ['facts', 'document', 'checked']],
        ['verify-provenance', ['facts', 'document', 'checked']],
        ['malware-scan', ['facts', 'document', 'checked']],
        ['store-blob', ['facts', 'document', 'checked', 'blob']],
        ['commit', ['facts', 'document', 'checked', 'blob', 'publishedAt']],
        ['after-commit', ['facts', 'document', 'checked', 'blob', 'publishedAt', 'published']],
      ]);
    });

    it('take a step registered at a position; its refusal is answered with its code and stores nothing', async () => {
      r = await startRegistry(engine);
      const alice = await r.createUser('alice');
      const ran: string[] = [];
      // A staging-like step: held packages are refused before their bytes are stored.
      const hold: PublishStep = {
        name: 'hold-for-review',
        run(ctx) {
          ran.push(ctx.name);
          if (ctx.name.startsWith('held-')) fail('Forbidden', `${ctx.name} is held for review.`);
        },
      };
      r.registry.packages.addPublishStep(hold, { before: 'store-blob' });
      const at = DESIGN_ORDER.indexOf('store-blob');
      expect(r.registry.packages.publishSteps()).toEqual([
        ...DESIGN_ORDER.slice(0, at),
        'hold-for-review',
        ...DESIGN_ORDER.slice(at),
      ]);
      const before = await r.registry.store.events.latestSeq();
      const held = packageBuilder('held-pkg', '1.0.0');
      const res = await r.publish(alice, held);
      expect([res.statusCode, res.json().code]).toEqual([403, 'Forbidden']);
      expect((await r.inject({ method: 'GET', url: '/held-pkg' })).statusCode).toBe(404);
      expect(await r.registry.store.events.since(before, 10)).toEqual([]);
      const blob = createHash('sha512').update(held.tarball()).digest('hex') as Sha512Hex;
      expect(await r.registry.blobs.has(blob)).toBe(false);

      expect((await r.publish(alice, packageBuilder('free-pkg', '1.0.0'))).statusCode).toBe(201);
      expect(ran).toEqual(['held-pkg', 'free-pkg']);
    });

    it('offer every file of the tarball to a registered inspector, whose refusal stores nothing', async () => {
      r = await startRegistry(engine);
      const alice = await r.createUser('alice');
      const scanned: string[] = [];
      r.registry.packages.addInspector(() => ({
        name: 'known-bad',
        entry(entry, bytes) {
          if (entry.type === 'file') scanned.push(entry.path);
          if (bytes.includes('DROP-PAYLOAD')) fail('Forbidden', `${entry.path} matches a known-bad rule.`);
        },
        finish: () => 'clean',
      }));
      const bad = packageBuilder('bad-pkg', '1.0.0').file('lib/deep/x.js', 'run("DROP-PAYLOAD")');
      expect((await r.publish(alice, bad)).json().code).toBe('Forbidden');
      expect(scanned).toEqual(['package.json', 'lib/deep/x.js']);
      expect((await r.inject({ method: 'GET', url: '/bad-pkg' })).statusCode).toBe(404);
      const blob = createHash('sha512').update(bad.tarball()).digest('hex') as Sha512Hex;
      expect(await r.registry.blobs.has(blob)).toBe(false);
      const good = packageBuilder('good-pkg', '1.0.0').file('a.js', 'ok');
      expect((await r.publish(alice, good)).statusCode).toBe(201);
      // The same check sees a stored blob, so the one above is not vacuous.
      expect(await r.registry.blobs.has(createHash('sha512').update(good.tarball()).digest('hex') as Sha512Hex)).toBe(true);
    });

    it('refuse a step placed next to a step that does not exist, or under a name taken', async () => {
      r = await startRegistry(engine);
      const step: PublishStep = { name: 'otp', run: () => {} };
      expect(() => r.registry.packages.addPublishStep(step, { before: 'no-such-step' })).toThrow(/no publish step/);
      expect(() => r.registry.packages.addPublishStep({ ...step, name: 'commit' }, { after: 'policy' })).toThrow(/exists/);
      r.registry.packages.addPublishStep(step, { before: 'authorize' });
      expect(r.registry.packages.publishSteps().slice(0, 3)).toEqual(['authenticate', 'otp', 'authorize']);
    });

    it('run the steps before the body once per request, when the edge ran them before reading it', async () => {
      r = await startRegistry(engine, { config: { maxDocumentBytes: 64 * 1024 } });
      const alice = await r.createUser('alice');
      // Whether the body had arrived when the step ran, one entry per run.
      const runs: boolean[] = [];
      const counting: PublishStep = { name: 'count-early', run: (ctx) => void runs.push(ctx.body !== undefined) };
      r.registry.packages.addPublishStep(counting, { after: 'authorize' });
      // Bigger than maxDocumentBytes: the edge decides who may send it before reading it.
      const big = packageBuilder('big-once', '1.0.0').file('blob.bin', randomBytes(96 * 1024).toString('base64'));
      expect((await r.publish(alice, big)).statusCode).toBe(201);
      expect(runs).toEqual([false]);
      expect((await r.publish(alice, packageBuilder('small-once', '1.0.0'))).statusCode).toBe(201);
      expect(runs).toEqual([false, true]);
    });
  });
}
