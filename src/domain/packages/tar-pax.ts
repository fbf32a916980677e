// Parses the records of a POSIX pax extended header ("<length> <key>=<value>\n"), strictly.
// node-tar splits the body on newlines and tar-stream trusts each length field, so a record is
// accepted only where both readings agree: exact length, newline at its end and nowhere else.

import { ambiguous, text } from './tar-text.js';

export type PaxRecords = Record<string, string>;

export function parsePax(body: Buffer, kind: 'extended' | 'global'): PaxRecords {
  const records: PaxRecords = Object.create(null) as PaxRecords;
  let offset = 0;
  while (offset < body.length) {
    const space = body.indexOf(0x20, offset);
    const digits = space === -1 ? '' : body.toString('latin1', offset, space);
    if (!/^[1-9][0-9]{0,5}$/.test(digits)) malformed(kind);
    const end = offset + Number(digits);
    // The record must end in a newline exactly where its length says, with none inside it.
    if (end > body.length || body[end - 1] !== 0x0a) malformed(kind);
    const record = body.subarray(space + 1, end - 1);
    if (record.includes(0x0a)) malformed(kind);
    const equals = record.indexOf(0x3d);
    if (equals <= 0) malformed(kind);
    const key = text(record.subarray(0, equals), 'pax key');
    if (key in records) ambiguous(`A pax header sets ${JSON.stringify(key)} twice.`);
    records[key] = text(record.subarray(equals + 1), `pax ${key}`);
    offset = end;
  }
  return records;
}

function malformed(kind: string): never {
  ambiguous(`The ${kind} pax header has a malformed record (its length or newline is wrong).`);
}
