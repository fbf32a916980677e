// A software WebAuthn authenticator for the HTTP tests: a P-256 key that makes registration
// answers (attestation "none") and assertions exactly as WebAuthn §6 lays them out, so a test can
// also make the bad ones a browser never would: another origin, a counter that does not move, a
// challenge already answered. The browser tests use Chromium's own virtual authenticator instead.
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';

export interface Ceremony {
  challenge: string;
  /** Defaults to the relying party's origin. */
  origin?: string;
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest();

function counterBytes(counter: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(counter);
  return out;
}

export class SoftwareAuthenticator {
  readonly credentialId = randomBytes(16).toString('base64url');
  private readonly key: KeyObject;
  private readonly publicJwk: { x: string; y: string };
  counter = 0;

  constructor(private readonly rp: { id: string; origin: string }) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.key = privateKey;
    this.publicJwk = publicKey.export({ format: 'jwk' }) as { x: string; y: string };
  }

  private clientData(type: string, c: Ceremony): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge: c.challenge, origin: c.origin ?? this.rp.origin, crossOrigin: false }));
  }

  /** The JSON a browser posts after navigator.credentials.create(). */
  register(c: Ceremony): string {
    // COSE_Key (RFC 9053): kty EC2, alg ES256, crv P-256, x, y.
    const cose = new Map<number, number | Uint8Array>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, Buffer.from(this.publicJwk.x, 'base64url')],
      [-3, Buffer.from(this.publicJwk.y, 'base64url')],
    ]);
    const id = Buffer.from(this.credentialId, 'base64url');
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(id.length);
    // flags: user present (0x01), user verified (0x04), attested credential data (0x40)
    const authData = Buffer.concat([
      sha256(this.rp.id),
      Buffer.from([0x45]),
      counterBytes(this.counter),
      Buffer.alloc(16),
      idLength,
      id,
      Buffer.from(isoCBOR.encode(cose)),
    ]);
    const attestation = isoCBOR.encode(
      new Map<string, unknown>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]) as never,
    );
    return JSON.stringify({
      id: this.credentialId,
      rawId: this.credentialId,
      type: 'public-key',
      clientExtensionResults: {},
      response: {
        clientDataJSON: this.clientData('webauthn.create', c).toString('base64url'),
        attestationObject: Buffer.from(attestation).toString('base64url'),
        transports: ['usb'],
      },
    });
  }

  /** The JSON a browser posts after navigator.credentials.get(); the counter moves on unless `counter` is given. */
  assert(c: Ceremony, counter = ++this.counter): string {
    const authData = Buffer.concat([sha256(this.rp.id), Buffer.from([0x05]), counterBytes(counter)]);
    const clientData = this.clientData('webauthn.get', c);
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientData)]), this.key);
    return JSON.stringify({
      id: this.credentialId,
      rawId: this.credentialId,
      type: 'public-key',
      clientExtensionResults: {},
      response: {
        clientDataJSON: clientData.toString('base64url'),
        authenticatorData: authData.toString('base64url'),
        signature: signature.toString('base64url'),
        userHandle: null,
      },
    });
  }
}

/** The challenge in the ceremony options a page carries (data-options, HTML-escaped JSON). */
export function challengeOf(page: string): string {
  const options = /data-options="([^"]+)"/.exec(page)?.[1];
  if (!options) throw new Error('no WebAuthn options on the page');
  const json = options
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
  return (JSON.parse(json) as { challenge: string }).challenge;
}
