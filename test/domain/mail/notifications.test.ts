// Every security notification, as its recipient reads it: an event of each type is appended the
// way the emitting domain does, the outbox worker runs, and the .eml file in the outbox folder is
// parsed like a mail client would. Runs on both engines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../../support/registry.js';
import { ManualClock } from '../../../src/domain/clock.js';
import { userActor } from '../../../src/domain/access/actor.js';
import type { NewEvent } from '../../../src/domain/events/store.js';
import { readOutbox, type ReceivedMail } from './outbox-files.js';

const START = '2026-03-01T10:00:00.000Z';

interface Case {
  event: (alice: TestUser, bob: TestUser) => NewEvent;
  /** Who receives it and what each must read. */
  expect: { to: string; subject: RegExp; text: RegExp[] }[];
}

const at = START;
const CASES: Record<string, Case> = {
  'password.changed': {
    event: (a) => ({ type: 'password.changed', actor: userActor(a.user), data: { via: 'change' }, createdAt: at }),
    expect: [{ to: 'alice@example.com', subject: /password was changed/i, text: [/password of this account was changed/] }],
  },
  'email.changed (both addresses)': {
    event: (a) => ({
      type: 'email.changed',
      actor: userActor(a.user),
      data: { from: 'alice@example.com', to: 'alice@new.example' },
      createdAt: at,
    }),
    expect: [
      {
        to: 'alice@example.com',
        subject: /email address was changed/i,
        text: [/from alice@example\.com \(this address\) to alice@new\.example/],
      },
      { to: 'alice@new.example', subject: /email address was changed/i, text: [/now alice@new\.example \(this address\)/] },
    ],
  },
  'mfa.enabled': {
    event: (a) => ({
      type: 'mfa.enabled',
      actor: userActor(a.user),
      data: { method: 'totp', level: 'auth-and-writes' },
      createdAt: at,
    }),
    expect: [{ to: 'alice@example.com', subject: /two-factor.*on/i, text: [/totp, auth-and-writes/] }],
  },
  'mfa.disabled': {
    event: (a) => ({ type: 'mfa.disabled', actor: userActor(a.user), data: { method: 'totp' }, createdAt: at }),
    expect: [{ to: 'alice@example.com', subject: /two-factor.*off/i, text: [/turned off/] }],
  },
  'webauthn.added': {
    event: (a) => ({
      type: 'webauthn.added',
      actor: userActor(a.user),
      data: { credential: 'cred-1', name: 'YubiKey 5', passkey: false },
      createdAt: at,
    }),
    expect: [{ to: 'alice@example.com', subject: /security key added/i, text: [/"YubiKey 5" was added/] }],
  },
  'webauthn.removed': {
    event: (a) => ({
      type: 'webauthn.removed',
      actor: userActor(a.user),
      data: { credential: 'cred-2', name: 'Laptop', passkey: true },
      createdAt: at,
    }),
    expect: [{ to: 'alice@example.com', subject: /passkey removed/i, text: [/passkey named "Laptop" was removed/] }],
  },
  'recovery_codes.generated': {
    event: (a) => ({ type: 'recovery_codes.generated', actor: userActor(a.user), data: { count: 10 }, createdAt: at }),
    expect: [{ to: 'alice@example.com', subject: /recovery codes/i, text: [/10 new recovery codes/] }],
  },
  'recovery_code.used': {
    event: (a) => ({ type: 'recovery_code.used', actor: userActor(a.user), data: { remaining: 7 }, createdAt: at }),
    expect: [{ to: 'alice@example.com', subject: /recovery code was used/i, text: [/7 remain/] }],
  },
  'token.created': {
    event: (a) => ({
      type: 'token.created',
      actor: userActor(a.user),
      data: { tokenId: 99, display: 'gth_abcd', readonly: true, reason: 'ci' },
      createdAt: at,
    }),
    expect: [
      { to: 'alice@example.com', subject: /new access token/i, text: [/read-only token \(gth_abcd…\)/, /npm token revoke/] },
    ],
  },
  'account.locked': {
    event: (a) => ({
      type: 'account.locked',
      actor: userActor(a.user),
      data: { secret: 'otp', until: '2026-03-01T10:15:00.000Z' },
      createdAt: at,
    }),
    expect: [{ to: 'alice@example.com', subject: /locked/i, text: [/one-time passwords/, /until 2026-03-01T10:15:00\.000Z/] }],
  },
  'account.restricted (to the previous address)': {
    event: (a) => ({
      type: 'account.restricted',
      actor: userActor(a.user),
      data: { reason: 'email-change', until: '2026-03-04T10:00:00.000Z' },
      createdAt: at,
    }),
    // The email.changed case above moved alice to alice@new.example; the lock warns the old address.
    expect: [{ to: 'alice@example.com', subject: /read-only/i, text: [/email address change/, /until 2026-03-04/] }],
  },
  'owner.added (to the new owner)': {
    event: (a, b) => ({
      type: 'owner.added',
      actor: userActor(a.user),
      packageName: 'left-pad',
      data: { user: b.user.name },
      createdAt: at,
    }),
    expect: [{ to: 'bob@example.com', subject: /you are now an owner of left-pad/i, text: [/You are now an owner of left-pad/] }],
  },
  'account.recovered': {
    event: (a) => ({
      type: 'account.recovered',
      actor: userActor(a.user),
      data: { by: 'admin', checks: ['recent-publish', 'id-document'] },
      createdAt: at,
    }),
    expect: [{ to: 'alice@example.com', subject: /recovered/i, text: [/recent-publish, id-document/] }],
  },
};

for (const engine of ENGINES) {
  describe(`security notifications (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    let bob: TestUser;
    const clock = new ManualClock(START);
    let seen = new Set<string>();

    beforeAll(async () => {
      r = await startRegistry(engine, { deps: { clock }, config: { mailFrom: 'Gatehouse <noreply@registry.example>' } });
      alice = await r.createUser('alice');
      bob = await r.createUser('bob');
      await r.registry.mail.deliver();
      seen = new Set((await readOutbox(r.registry.config.dataDir)).map((m) => m.file));
    });
    afterAll(() => r.close());

    /** Appends the event, runs the worker, and returns the mails that appeared. */
    async function mailsFor(event: NewEvent): Promise<ReceivedMail[]> {
      if (event.type === 'email.changed') {
        // The emitting domain changes the address in the same transaction; here, directly.
        await r.registry.store.transaction(async (tx) => {
          await tx.events.append(event);
        });
      } else {
        await r.registry.store.events.append(event);
      }
      await r.registry.mail.deliver();
      const fresh = (await readOutbox(r.registry.config.dataDir)).filter((m) => !seen.has(m.file));
      for (const m of fresh) seen.add(m.file);
      return fresh;
    }

    for (const [name, c] of Object.entries(CASES)) {
      it(`mails ${name}`, async () => {
        const mails = await mailsFor(c.event(alice, bob));
        expect(mails.map((m) => m.to).sort()).toEqual(c.expect.map((e) => e.to).sort());
        for (const wanted of c.expect) {
          const mail = mails.find((m) => m.to === wanted.to)!;
          expect(mail.subject).toMatch(wanted.subject);
          for (const text of wanted.text) expect(mail.text).toMatch(text);
          // What every notification says: when, which account, what to do if it was not you.
          expect(mail.text).toContain(`When:    ${START}`);
          expect(mail.text).toMatch(/Account: (alice|bob)/);
          expect(mail.text).toMatch(/If (this was not you|you did not)/);
          expect(mail.from).toMatch(/^"?Gatehouse"? <noreply@registry\.example>$/);
          expect(mail.date?.toISOString()).toBe(START);
          expect(mail.messageId).toMatch(/^<gatehouse\.\d+\.[0-9a-f]{16}@registry\.example>$/);
        }
      });
    }

    it('mails nothing for events no one is told about, and nothing twice when run again', async () => {
      const mails = await mailsFor({
        type: 'dist_tag.set',
        actor: userActor(alice.user),
        packageName: 'left-pad',
        data: { tag: 'beta' },
        createdAt: START,
      });
      expect(mails).toEqual([]);
      await r.registry.mail.deliver();
      const all = await readOutbox(r.registry.config.dataDir);
      expect(new Set(all.map((m) => m.messageId)).size).toBe(all.length);
    });
  });
}
