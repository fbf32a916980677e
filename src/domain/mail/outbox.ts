// The outbox worker: turns committed events into mails, so a change never waits for (or fails
// because of) a mail server, and a crash neither loses nor doubles a mail.
// - collect: in one transaction, reads events after the cursor, records one row per (event,
//   recipient) and moves the cursor (compare-and-set: two instances cannot both move it);
// - send: claims each owed row (one instance wins), sends it with a Message-ID fixed per row,
//   then marks it sent. A crash after sending and before marking sends it again: the outbox
//   folder overwrites the same file; an SMTP server receives the same Message-ID twice.
import { createHash } from 'node:crypto';
import type { Store } from '../store.js';
import type { RegistryEvent } from '../events/store.js';
import type { Clock } from '../clock.js';
import type { MailKey, OwedMail } from './store.js';
import type { MailTransport, OutgoingMail } from './transport.js';
import { addressKey, recipientsOf } from './recipients.js';
import { render } from './templates.js';
import { LINK_KEY_NAME, linkSecret, newLinkKey } from './links.js';

const BATCH = 200;
/** How long one instance holds a mail it is sending before another may try it. */
const CLAIM_MS = 5 * 60 * 1000;
const MAX_ATTEMPTS = 8;
// PostgreSQL shows an event when its transaction commits, so seq 7 can appear after seq 8: a
// hole is waited for this long (by the later event's age) before it counts as a rollback.
export const GAP_WAIT_MS = 60_000;

export interface OutboxDeps {
  store: Store;
  transport: MailTransport;
  clock: Clock;
  /** The From header, e.g. `Gatehouse <noreply@registry.example>`. */
  from: string;
  baseUrl: () => string;
  /** This instance's name on the rows it claims. */
  owner: string;
  /** How long a verification link works. */
  verificationHours: number;
  /**
   * True when the instance named `owner` is known to have stopped (it ran on this machine and its
   * process is gone): its claims are taken over at once instead of when they expire.
   */
  ownerGone: (owner: string) => boolean;
  /** Told of failed attempts; only seqs and error class names, never an address or a body. */
  warn: (message: string) => void;
}

export class MailOutbox {
  private running: Promise<void> | undefined;
  private again = false;

  constructor(private readonly deps: OutboxDeps) {}

  /** Records and sends every mail owed so far; overlapping calls share a run that starts after them. */
  deliver(): Promise<void> {
    this.again = true;
    this.running ??= (async () => {
      try {
        while (this.again) {
          this.again = false;
          await this.collect();
          await this.send();
        }
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  async stop(): Promise<void> {
    await this.running?.catch(() => {});
  }

  private iso(offsetMs = 0): string {
    return new Date(this.deps.clock.now() + offsetMs).toISOString();
  }

  private async collect(): Promise<void> {
    for (;;) {
      const full = await this.deps.store
        .transaction(async (tx) => {
          const from = await tx.mail.cursor();
          const events = settled(from, await tx.events.since(from, BATCH), this.deps.clock.now());
          if (events.length === 0) return false;
          const createdAt = this.iso();
          for (const event of events) {
            const recipients = await recipientsOf(event, tx);
            const mails = recipients.map((r) => ({ eventSeq: event.seq, recipient: addressKey(r.address) }));
            await tx.mail.owe(
              mails.map((m) => ({ ...m, messageId: this.messageId(m) })),
              createdAt,
            );
            if (event.type === 'email.verification_requested' && event.actor.kind === 'user') {
              const expiresAt = new Date(Date.parse(event.createdAt) + this.deps.verificationHours * 3_600_000).toISOString();
              await tx.verifications.insert({
                request: event.data.request,
                userId: event.actor.userId,
                email: event.data.email,
                createdAt: event.createdAt,
                expiresAt,
              });
            }
          }
          // Another instance recorded these already: its rows stand, this transaction rolls back.
          if (!(await tx.mail.advanceCursor(from, events[events.length - 1]!.seq))) throw new CursorMoved();
          return events.length === BATCH;
        })
        .catch((err: unknown) => {
          if (err instanceof CursorMoved) return false;
          throw err;
        });
      if (!full) return;
    }
  }

  private async send(): Promise<void> {
    const { store, owner } = this.deps;
    const gone = (await store.mail.holders(this.iso())).filter((holder) => holder !== owner && this.deps.ownerGone(holder));
    for (;;) {
      const owed = await store.mail.claimable(this.iso(), BATCH, gone);
      for (const mail of owed) {
        if (!(await store.mail.claim(mail, owner, this.iso(), this.iso(CLAIM_MS), gone))) continue;
        await this.sendOne(mail);
      }
      if (owed.length < BATCH) return;
    }
  }

  private async sendOne(mail: OwedMail): Promise<void> {
    const { store, owner } = this.deps;
    try {
      const outgoing = await this.compose(mail);
      if (outgoing) await this.deps.transport.send(outgoing);
      // Right after the transport accepted it: the window for a double is this one statement.
      await store.mail.markSent(mail, owner, this.iso());
    } catch (err) {
      const attempts = mail.attempts + 1;
      const retryAt = attempts >= MAX_ATTEMPTS ? null : this.iso(Math.min(2 ** attempts * 30_000, 6 * 3_600_000));
      await store.mail.markFailed(mail, owner, retryAt);
      this.deps.warn(
        `gatehouse: mail for event ${mail.eventSeq} failed (attempt ${attempts}${retryAt ? '' : ', given up'}): ` +
          `${err instanceof Error ? err.name : typeof err}`,
      );
    }
  }

  /** The mail as it was owed; undefined when there is nothing to say any more (its event is gone). */
  private async compose(mail: OwedMail): Promise<OutgoingMail | undefined> {
    const { store } = this.deps;
    const [event] = await store.events.since(mail.eventSeq - 1, 1);
    if (!event || event.seq !== mail.eventSeq) return undefined;
    const recipients = await recipientsOf(event, store);
    const recipient = recipients.find((r) => addressKey(r.address) === mail.recipient) ?? recipients[0];
    if (!recipient) return undefined;
    const baseUrl = this.deps.baseUrl();
    const rendered = render(event, {
      account: recipient.account,
      role: recipient.role,
      baseUrl,
      link: await this.link(event, baseUrl),
    });
    if (!rendered) return undefined;
    // The row is keyed by the lower-cased address; the mail goes to it as it was given.
    const to = addressKey(recipient.address) === mail.recipient ? recipient.address : mail.recipient;
    return { messageId: mail.messageId, from: this.deps.from, to, date: event.createdAt, ...rendered };
  }

  private async link(event: RegistryEvent, baseUrl: string): Promise<string | undefined> {
    if (event.type !== 'email.verification_requested' && event.type !== 'password.reset_requested') return undefined;
    const key = await this.deps.store.mail.key(LINK_KEY_NAME, newLinkKey);
    return event.type === 'email.verification_requested'
      ? `${baseUrl}/verify-email/${linkSecret(key, 'email-verification', event.data.request)}`
      : `${baseUrl}/reset-password/${linkSecret(key, 'password-reset', event.data.request)}`;
  }

  /** `<seq.hash@domain>`: fixed per (event, recipient), and says nothing of the address. */
  private messageId(mail: MailKey): string {
    const hash = createHash('sha256').update(mail.recipient).digest('hex').slice(0, 16);
    return `<gatehouse.${mail.eventSeq}.${hash}@${domainOf(this.deps.from)}>`;
  }
}

class CursorMoved extends Error {}

/**
 * The events after `from` that may be taken now: in order, stopping at a hole that is still young
 * (its transaction may yet commit). A hole older than GAP_WAIT_MS belonged to a rollback.
 */
export function settled(from: number, events: RegistryEvent[], now: number): RegistryEvent[] {
  const taken: RegistryEvent[] = [];
  let expected = from + 1;
  for (const event of events) {
    if (event.seq !== expected && now - Date.parse(event.createdAt) < GAP_WAIT_MS) break;
    taken.push(event);
    expected = event.seq + 1;
  }
  return taken;
}

function domainOf(from: string): string {
  const match = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from);
  return match?.[1] ?? 'gatehouse.invalid';
}
