// Secret-scanning revocation: a signed report of leaked tokens revokes every live one of ours at
// once (one transaction: each token's token.revoked event and a token.leaked event, which mails
// the owner through the outbox), and answers each entry with the label GitHub expects. A bad
// signature, an unknown key or a malformed body changes nothing. Tokens never reach an event.
import type { Store } from '../store.js';
import type { Clock } from '../clock.js';
import { userActor } from '../access/actor.js';
import { hashToken, isWellFormedToken } from '../tokens/format.js';
import { revokeInTransaction } from '../tokens/service.js';
import { fail } from '../errors.js';
import { checkSignature, parseReport, type ScanningKey } from './report.js';

/** Where the program's public keys come from (the adapter caches them). */
export interface ScanningKeySource {
  /** The keys; `refresh` asks again now (a key id we have not seen: GitHub may have rotated). */
  keys(opts?: { refresh?: boolean }): Promise<ScanningKey[]>;
}

export interface ReportLabel {
  token_raw: string;
  token_type: string;
  label: 'true_positive' | 'false_positive';
}

export interface SecretScanningDeps {
  store: Store;
  clock: Clock;
  /** Undefined when no key list is configured: the endpoint then refuses every report. */
  keys: ScanningKeySource | undefined;
}

export class SecretScanning {
  constructor(private readonly deps: SecretScanningDeps) {}

  async report(body: Buffer, keyId: string | undefined, signature: string | undefined): Promise<ReportLabel[]> {
    const source = this.deps.keys;
    if (!source)
      fail('SecretScanningOff', 'Secret-scanning reports are not accepted here (GATEHOUSE_SECRET_SCANNING_KEYS_URL is not set).');
    let keys = await source.keys();
    if (keyId && !keys.some((k) => k.keyIdentifier === keyId)) keys = await source.keys({ refresh: true });
    checkSignature(body, keyId, signature, keys);
    const reported = parseReport(body);
    const at = new Date(this.deps.clock.now()).toISOString();
    const revoked = await this.deps.store.transaction(async (tx) => {
      const done = new Set<string>();
      for (const entry of reported) {
        if (done.has(entry.token) || !isWellFormedToken(entry.token)) continue;
        const found = await tx.tokens.byHash(hashToken(entry.token));
        if (!found || found.token.revokedAt) continue;
        if (found.token.expiresAt && Date.parse(found.token.expiresAt) <= Date.parse(at)) continue;
        await revokeInTransaction(tx, found.user, found.token, at);
        await tx.events.append({
          type: 'token.leaked',
          actor: userActor(found.user),
          data: { tokenId: found.token.id, display: found.token.display, url: entry.url, source: entry.source },
          createdAt: at,
        });
        done.add(entry.token);
      }
      return done;
    });
    return reported.map((entry) => ({
      token_raw: entry.token,
      token_type: entry.type,
      label: revoked.has(entry.token) ? 'true_positive' : 'false_positive',
    }));
  }
}
