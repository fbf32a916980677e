// Decoding and refusing the text of tar headers: names, link targets, pax keys and values.
// Attacker-controlled bytes: never guess an encoding, and never echo a name unescaped.

import { fail } from '../errors.js';

export function text(raw: Buffer, what: string): string {
  let value: string;
  try {
    value = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    ambiguous(`A ${what} is not valid UTF-8; clients would each decode it differently.`);
  }
  // NUL truncates names in C code, newlines split node-tar's pax parse; no package needs either.
  if (/[\u0000-\u001f\u007f-\u009f]/.test(value)) {
    fail('TarballUnsafePath', `The ${what} ${show(value)} contains a control character. The tarball was refused.`);
  }
  return value;
}

export function show(value: string): string {
  return JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}…` : value);
}

export function ambiguous(message: string): never {
  fail('TarballAmbiguous', `${message} Package managers would read this archive differently, so it was refused.`);
}
