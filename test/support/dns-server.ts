// A local authoritative DNS server on 127.0.0.1 (UDP), answering from a zone the test holds:
// records per name and type, NXDOMAIN for names it does not know, SERVFAIL or silence for names
// marked so. Real DNS messages (dns-packet) over node:dgram, so the code under test uses node's
// own resolver unchanged. Addresses are documentation ranges (RFC 5737, RFC 3849).
import { createSocket, type RemoteInfo } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import dnsPacket, { type Answer, type Packet } from 'dns-packet';

export type ZoneRecord =
  | { type: 'MX'; preference: number; exchange: string }
  | { type: 'A'; address: string }
  | { type: 'AAAA'; address: string }
  | { type: 'NS'; host: string }
  | { type: 'TXT'; text: string };

/** How a name is answered: its records, or a failure that is not an answer. */
export type ZoneEntry = ZoneRecord[] | 'servfail' | 'silent';

export interface DnsServer {
  /** `127.0.0.1:PORT`, as GATEHOUSE_DNS_SERVERS takes it. */
  address: string;
  zone: Map<string, ZoneEntry>;
  /** Names asked, with their type, in order. */
  queries: { name: string; type: string }[];
  close(): Promise<void>;
}

const AUTHORITATIVE = dnsPacket.AUTHORITATIVE_ANSWER;
const RCODE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3 } as const;

function answerOf(name: string, record: ZoneRecord): Answer {
  switch (record.type) {
    case 'MX':
      return { name, type: 'MX', ttl: 60, data: { preference: record.preference, exchange: record.exchange } };
    case 'A':
      return { name, type: 'A', ttl: 60, data: record.address };
    case 'AAAA':
      return { name, type: 'AAAA', ttl: 60, data: record.address };
    case 'NS':
      return { name, type: 'NS', ttl: 60, data: record.host };
    case 'TXT':
      return { name, type: 'TXT', ttl: 60, data: record.text };
  }
}

export async function startDnsServer(zone: Record<string, ZoneEntry>): Promise<DnsServer> {
  const socket = createSocket('udp4');
  const state: DnsServer = {
    address: '',
    zone: new Map(Object.entries(zone)),
    queries: [],
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
  socket.on('message', (message: Buffer, from: RemoteInfo) => {
    let query: Packet;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return;
    }
    const question = query.questions?.[0];
    if (!question) return;
    const name = question.name.toLowerCase();
    state.queries.push({ name, type: question.type });
    const entry = state.zone.get(name);
    if (entry === 'silent') return;
    const reply = (rcode: number, answers: Answer[]) =>
      socket.send(
        dnsPacket.encode({
          type: 'response',
          id: query.id,
          flags: AUTHORITATIVE | rcode,
          questions: [question],
          answers,
          // NODATA and NXDOMAIN carry the zone's SOA, as a real authoritative server sends.
          authorities:
            answers.length === 0 && rcode !== RCODE.SERVFAIL ? [{ name: 'test', type: 'SOA', ttl: 60, data: soa() }] : [],
        }),
        from.port,
        from.address,
      );
    if (entry === undefined) return void reply(RCODE.NXDOMAIN, []);
    if (entry === 'servfail') return void reply(RCODE.SERVFAIL, []);
    reply(
      RCODE.NOERROR,
      entry.filter((record) => record.type === question.type).map((record) => answerOf(question.name, record)),
    );
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  state.address = `127.0.0.1:${(socket.address() as AddressInfo).port}`;
  return state;
}

function soa() {
  return {
    mname: 'ns1.test',
    rname: 'hostmaster.test',
    serial: 1,
    refresh: 3600,
    retry: 600,
    expire: 86400,
    minimum: 60,
  };
}
