// Registry signatures as npm checks them (npm/lib/utils/verify-signatures.js): every version's
// dist.signatures verifies against a key from /-/npm/v1/keys, and keeps verifying after rotation.
import { createVerify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { packageBuilder } from '../fixtures/package-builder.js';
import { userActor } from '../../src/domain/access/actor.js';

interface NpmKey {
  expires: string | null;
  keyid: string;
  keytype: string;
  scheme: string;
  key: string;
}

/** npm's own check, step by step: the key by id, not expired at the version's time, the signature over name@version:integrity. */
// A packument as the test reads it back: JSON it pokes into freely, as npm's own code does.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Packument = Record<string, any>;

function npmVerdict(keys: NpmKey[], packument: Packument, version: string): string {
  const doc = packument.versions[version];
  const signatures = doc.dist.signatures as { keyid: string; sig: string }[] | undefined;
  if (!signatures?.length) return 'missing';
  for (const { keyid, sig } of signatures) {
    const key = keys.find((k) => k.keyid === keyid);
    if (!key) return 'EMISSINGSIGNATUREKEY';
    if (key.expires && Date.parse(packument.time[version]) >= Date.parse(key.expires)) return 'EEXPIREDSIGNATUREKEY';
    const pem = `-----BEGIN PUBLIC KEY-----\n${key.key}\n-----END PUBLIC KEY-----`;
    const ok = createVerify('SHA256').update(`${doc.name}@${doc.version}:${doc.dist.integrity}`).end().verify(pem, sig, 'base64');
    if (!ok) return 'EINTEGRITYSIGNATURE';
  }
  return 'verified';
}

for (const engine of ENGINES) {
  describe(`registry signatures (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    const keys = async () => (await r.inject({ method: 'GET', url: '/-/npm/v1/keys' })).json().keys as NpmKey[];
    const full = async (name: string) =>
      (await r.inject({ method: 'GET', url: `/${name.replace('/', '%2f')}` })).json() as Packument;

    beforeAll(async () => {
      r = await startRegistry(engine);
      alice = await r.createUser('alice');
    });
    afterAll(() => r.close());

    it('serves one current ECDSA P-256 key in npm’s shape, its id the SHA-256 of the key', async () => {
      const [key, ...more] = await keys();
      expect(more).toEqual([]);
      expect(key).toMatchObject({ expires: null, keytype: 'ecdsa-sha2-nistp256', scheme: 'ecdsa-sha2-nistp256' });
      const { createHash } = await import('node:crypto');
      expect(key!.keyid).toBe(`SHA256:${createHash('sha256').update(Buffer.from(key!.key, 'base64')).digest('base64')}`);
    });

    it('signs a published version; full and abbreviated packuments carry the same signature', async () => {
      expect((await r.publish(alice, packageBuilder('@acme/signed', '1.0.0').file('index.js', '1;\n'))).statusCode).toBe(201);
      const doc = await full('@acme/signed');
      expect(npmVerdict(await keys(), doc, '1.0.0')).toBe('verified');
      const corgi = await r.inject({
        method: 'GET',
        url: '/@acme%2fsigned',
        headers: { accept: 'application/vnd.npm.install-v1+json' },
      });
      expect(corgi.json().versions['1.0.0'].dist.signatures).toEqual(doc.versions['1.0.0'].dist.signatures);
    });

    it('reports a changed integrity or signature as invalid (the check above can fail)', async () => {
      const doc = await full('@acme/signed');
      const tampered = structuredClone(doc);
      tampered.versions['1.0.0'].dist.integrity = 'sha512-' + Buffer.alloc(64).toString('base64');
      expect(npmVerdict(await keys(), tampered, '1.0.0')).toBe('EINTEGRITYSIGNATURE');
      tampered.versions['1.0.0'].dist.signatures[0].keyid = 'SHA256:unknown';
      expect(npmVerdict(await keys(), tampered, '1.0.0')).toBe('EMISSINGSIGNATUREKEY');
    });

    it('after rotation new versions use the new key and old signatures still verify', async () => {
      const [before] = await keys();
      const rotated = await r.registry.signer.rotate();
      expect(rotated.retired).toEqual([before!.keyid]);
      expect((await r.publish(alice, packageBuilder('@acme/signed', '2.0.0').file('index.js', '2;\n'))).statusCode).toBe(201);
      const after = await keys();
      expect(after.map((k) => k.keyid).sort()).toEqual([before!.keyid, rotated.keyid].sort());
      expect(after.find((k) => k.keyid === before!.keyid)!.expires).toBe(rotated.expires);
      expect(after.find((k) => k.keyid === rotated.keyid)!.expires).toBeNull();
      const doc = await full('@acme/signed');
      expect(doc.versions['1.0.0'].dist.signatures[0].keyid).toBe(before!.keyid);
      expect(doc.versions['2.0.0'].dist.signatures[0].keyid).toBe(rotated.keyid);
      expect(npmVerdict(after, doc, '1.0.0')).toBe('verified');
      expect(npmVerdict(after, doc, '2.0.0')).toBe('verified');
      const events = await r.registry.store.events.since(0, 1000);
      expect(events.filter((e) => e.type === 'signing_key.rotated')).toHaveLength(1);
      expect(JSON.stringify(events)).not.toContain(after[0]!.key.slice(0, 40));
    });

    it('signs versions stored before signatures existed, and the cached packument shows it', async () => {
      const [record] = await r.registry.store.packages.versions('@acme/signed');
      await r.registry.store.packages.insertVersion(
        { ...record!, version: '0.9.0', signatures: [], publisher: userActor(alice.user) },
        {},
      );
      // The event the older release's change appended; it makes every instance drop the packument.
      await r.registry.store.events.append({
        type: 'dist_tag.set',
        actor: userActor(alice.user),
        packageName: '@acme/signed',
        version: '0.9.0',
        data: { tag: 'old' },
        createdAt: new Date().toISOString(),
      });
      expect(npmVerdict(await keys(), await full('@acme/signed'), '0.9.0')).toBe('missing');
      expect(await r.registry.signer.signUnsigned()).toBe(1);
      expect(npmVerdict(await keys(), await full('@acme/signed'), '0.9.0')).toBe('verified');
      expect(await r.registry.signer.signUnsigned()).toBe(0);
    });
  });
}
