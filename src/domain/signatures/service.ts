// Registry signatures: the one signing key in use, its rotation, the keys /-/npm/v1/keys lists,
// and signing the versions stored before this feature. Keys live in the database so a fleet signs
// with one key; the current key is read inside each signing transaction, so a rotation made by
// another process (`gatehouse keys rotate`) is used by the next publish everywhere.
import type { Repositories, Store } from '../store.js';
import type { Clock } from '../clock.js';
import { SYSTEM_ACTOR } from '../access/actor.js';
import { generateSigningKey, publicKeyPem, signBytes, signVersion, type RegistrySignature } from './keys.js';
import type { SigningKeyRecord } from './store.js';

/** One entry of `GET /-/npm/v1/keys`, in the shape npm reads. */
export interface PublishedKey {
  expires: string | null;
  keyid: string;
  keytype: 'ecdsa-sha2-nistp256';
  scheme: 'ecdsa-sha2-nistp256';
  key: string;
}

export interface SignerDeps {
  store: Store;
  clock: Clock;
  /**
   * How long a rotated-out key stays valid for new versions: a publish that read the old key just
   * before the rotation committed gets a publish time after it, and npm refuses a signature whose
   * key expired before the version's time (EEXPIREDSIGNATUREKEY).
   */
  rotationGraceMs: number;
}

const BACKFILL_BATCH = 200;

export class RegistrySigner {
  constructor(private readonly deps: SignerDeps) {}

  /** Makes the first key if there is none; two instances starting at once end up with one current key. */
  async ensureKey(): Promise<void> {
    await this.deps.store.transaction(async (tx) => {
      if (currentOf(await tx.signingKeys.all())) return;
      await tx.signingKeys.insert(this.newKey());
    });
  }

  /** The signatures a version gets, made with the key current in `tx`. */
  async sign(tx: Repositories, name: string, version: string, integrity: string): Promise<RegistrySignature[]> {
    const key = currentOf(await tx.signingKeys.all());
    if (!key) throw new Error('the registry has no signing key (ensureKey runs at start)');
    return [signVersion(key, name, version, integrity)];
  }

  /**
   * Signs `data` (a DSSE envelope's pre-authentication encoding) with the current key: the
   * registry's own publish attestations, which npm checks against /-/npm/v1/keys by keyid.
   */
  async signAttestation(data: Buffer): Promise<RegistrySignature & { publicKeyPem: string }> {
    const key = currentOf(await this.deps.store.signingKeys.all());
    if (!key) throw new Error('the registry has no signing key (ensureKey runs at start)');
    return { ...signBytes(key, data), publicKeyPem: publicKeyPem(key) };
  }

  /** A new key signs from now on; the old ones stay listed, expiring after the grace, so their signatures verify. */
  async rotate(): Promise<{ keyid: string; retired: string[]; expires: string }> {
    return this.deps.store.transaction(async (tx) => {
      const key = this.newKey();
      const expires = new Date(this.deps.clock.now() + this.deps.rotationGraceMs).toISOString();
      const retired = (await tx.signingKeys.all()).filter((k) => k.expiresAt === null).map((k) => k.keyid);
      await tx.signingKeys.insert(key);
      await tx.signingKeys.expireAllBut(key.keyid, expires);
      await tx.events.append({
        type: 'signing_key.rotated',
        actor: SYSTEM_ACTOR,
        data: { keyid: key.keyid, retired, expires },
        createdAt: key.createdAt,
      });
      return { keyid: key.keyid, retired, expires };
    });
  }

  async publishedKeys(): Promise<PublishedKey[]> {
    return (await this.deps.store.signingKeys.all()).map((k) => ({
      expires: k.expiresAt,
      keyid: k.keyid,
      keytype: 'ecdsa-sha2-nistp256',
      scheme: 'ecdsa-sha2-nistp256',
      key: k.publicKey,
    }));
  }

  /**
   * Signs every version stored without a signature (made before this feature), each with its
   * event so every instance drops the cached packument. Safe to run on several instances at once.
   */
  async signUnsigned(): Promise<number> {
    let signed = 0;
    for (;;) {
      const batch = await this.deps.store.packages.unsignedVersions(BACKFILL_BATCH);
      if (batch.length === 0) return signed;
      for (const v of batch) {
        await this.deps.store.transaction(async (tx) => {
          const signatures = await this.sign(tx, v.packageName, v.version, v.integrity);
          if (!(await tx.packages.setSignatures(v.packageName, v.version, signatures))) return;
          await tx.events.append({
            type: 'version.signed',
            actor: SYSTEM_ACTOR,
            packageName: v.packageName,
            version: v.version,
            data: { keyid: signatures[0]!.keyid },
            createdAt: new Date(this.deps.clock.now()).toISOString(),
          });
          signed += 1;
        });
      }
    }
  }

  private newKey(): SigningKeyRecord {
    return { ...generateSigningKey(), createdAt: new Date(this.deps.clock.now()).toISOString(), expiresAt: null };
  }
}

/** The key that signs now: the newest one not rotated out. */
function currentOf(keys: SigningKeyRecord[]): SigningKeyRecord | undefined {
  return keys.find((k) => k.expiresAt === null);
}
