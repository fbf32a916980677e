// Mail over SMTP to a real SMTP server (the smtp-server package) on 127.0.0.1: the verification
// mail arrives and its link verifies; a server that refuses gets the mail again later, once; and
// two registry instances sharing one database send each mail once between them.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { ENGINES } from '../../support/engines.js';
import { startRegistry, type TestRegistry } from '../../support/registry.js';
import { openRegistry, type OpenedRegistry } from '../../../src/registry.js';
import { ManualClock } from '../../../src/domain/clock.js';
import { userActor } from '../../../src/domain/access/actor.js';
import { parseMail, verificationLink, type ReceivedMail } from './outbox-files.js';

interface Inbox {
  url: string;
  received: (ReceivedMail & { envelopeTo: string[] })[];
  /** While true, every message is answered 451 (try again later). */
  refusing: boolean;
  close(): Promise<void>;
}

async function startInbox(): Promise<Inbox> {
  const inbox: Omit<Inbox, 'url' | 'close'> = { received: [], refusing: false };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (inbox.refusing) return callback(Object.assign(new Error('try later'), { responseCode: 451 }));
        void parseMail(Buffer.concat(chunks)).then((mail) => {
          inbox.received.push({ ...mail, envelopeTo: session.envelope.rcptTo.map((r) => r.address) });
          callback();
        }, callback);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return Object.assign(inbox, {
    url: `smtp://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }) as Inbox;
}

for (const engine of ENGINES) {
  describe(`mail over SMTP (${engine})`, () => {
    let inbox: Inbox;
    let r: TestRegistry;
    const clock = new ManualClock('2026-05-01T12:00:00.000Z');
    const others: OpenedRegistry[] = [];

    beforeAll(async () => {
      inbox = await startInbox();
      r = await startRegistry(engine, {
        deps: { clock },
        config: { smtpUrl: inbox.url, mailFrom: 'Registry <registry@mail.example>' },
      });
    });
    afterEach(async () => {
      for (const other of others.splice(0)) await other.close();
    });
    afterAll(async () => {
      await r.close();
      await inbox.close();
    });

    it('delivers the verification mail of an npm adduser to the SMTP server, and its link verifies', async () => {
      const res = await r.inject({
        method: 'PUT',
        url: '/-/user/org.couchdb.user:kim',
        payload: {
          _id: 'org.couchdb.user:kim',
          name: 'kim',
          password: 'kim-correct-horse',
          email: 'kim@example.com',
          type: 'user',
          roles: [],
        },
      });
      expect(res.statusCode).toBe(201);
      await r.registry.mail.deliver();
      const mail = inbox.received.find((m) => m.to === 'kim@example.com' && /verify/i.test(m.subject));
      expect(mail).toBeDefined();
      expect(mail!.envelopeTo).toEqual(['kim@example.com']);
      expect(mail!.from).toMatch(/registry@mail\.example/);
      const page = await r.inject({
        method: 'GET',
        url: new URL(verificationLink(mail!)).pathname,
        headers: { accept: 'text/html' },
      });
      expect(page.statusCode).toBe(200);
      expect((await r.registry.store.users.byName('kim'))!.emailVerified).toBe(true);
    });

    it('sends a mail the server refused again later, and only once it is accepted', async () => {
      const user = (await r.registry.store.users.byName('kim'))!;
      inbox.refusing = true;
      await r.registry.store.events.append({
        type: 'mfa.disabled',
        actor: userActor(user),
        data: { method: 'totp' },
        createdAt: new Date(clock.now()).toISOString(),
      });
      await r.registry.mail.deliver();
      inbox.refusing = false;
      const mfaMails = () => inbox.received.filter((m) => /two-factor/i.test(m.subject));
      expect(mfaMails()).toHaveLength(0);
      // Not before its retry time...
      await r.registry.mail.deliver();
      expect(mfaMails()).toHaveLength(0);
      // ...and then exactly once.
      clock.advance(10 * 60 * 1000);
      await r.registry.mail.deliver();
      await r.registry.mail.deliver();
      expect(mfaMails()).toHaveLength(1);
    });

    it('two instances sharing the database send each mail once between them', async () => {
      const second = await openRegistry(r.registry.config, { clock });
      others.push(second);
      const user = (await r.registry.store.users.byName('kim'))!;
      const before = inbox.received.length;
      for (let i = 0; i < 20; i++) {
        await r.registry.store.events.append({
          type: 'recovery_code.used',
          actor: userActor(user),
          data: { remaining: i },
          createdAt: new Date(clock.now()).toISOString(),
        });
      }
      await Promise.all([r.registry.mail.deliver(), second.mail.deliver(), r.registry.mail.deliver(), second.mail.deliver()]);
      const fresh = inbox.received.slice(before);
      expect(fresh).toHaveLength(20);
      expect(new Set(fresh.map((m) => m.messageId)).size).toBe(20);
    });
  });
}
