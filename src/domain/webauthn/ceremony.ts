// Reading a browser's WebAuthn answer before the library checks its signature: its JSON shape,
// the challenge and origin its clientDataJSON names, and the signature counter in its
// authenticator data (WebAuthn §6.1: rpIdHash 32 bytes, flags 1, signCount 4, big-endian).
// No storage or HTTP here.
import { createHash } from 'node:crypto';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { fail } from '../errors.js';

const MAX_ANSWER = 16 * 1024;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

export interface ClientData {
  type: string;
  challenge: string;
  origin: string;
}

export function hashChallenge(challenge: string): string {
  return createHash('sha256').update(challenge).digest('hex');
}

function malformed(): never {
  fail('WebAuthnMalformed', 'The security key answer could not be read. Reload the page and try again.');
}

function isB64(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && BASE64URL.test(value);
}

/** attacker-controlled: the form field may hold anything; only the fields WebAuthn defines, as base64url strings, pass. */
function parseAnswer(text: unknown, fields: string[]): Record<string, unknown> & { response: Record<string, unknown> } {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_ANSWER) malformed();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    malformed();
  }
  const answer = parsed as Record<string, unknown> | null;
  if (
    typeof answer !== 'object' ||
    answer === null ||
    answer.type !== 'public-key' ||
    !isB64(answer.id) ||
    answer.id !== answer.rawId
  )
    malformed();
  const response = answer.response as Record<string, unknown> | null;
  if (typeof response !== 'object' || response === null || !fields.every((f) => isB64(response[f]))) malformed();
  return answer as Record<string, unknown> & { response: Record<string, unknown> };
}

export function clientDataOf(answer: { response: Record<string, unknown> }): ClientData {
  let data: unknown;
  try {
    data = JSON.parse(Buffer.from(answer.response.clientDataJSON as string, 'base64url').toString('utf8'));
  } catch {
    malformed();
  }
  const { type, challenge, origin } = (data ?? {}) as Record<string, unknown>;
  if (typeof type !== 'string' || !isB64(challenge) || typeof origin !== 'string') malformed();
  return { type, challenge, origin };
}

export function parseRegistration(text: unknown): { answer: RegistrationResponseJSON; clientData: ClientData } {
  const answer = parseAnswer(text, ['clientDataJSON', 'attestationObject']);
  return { answer: answer as unknown as RegistrationResponseJSON, clientData: clientDataOf(answer) };
}

export function parseAssertion(text: unknown): { answer: AuthenticationResponseJSON; clientData: ClientData; counter: number } {
  const answer = parseAnswer(text, ['clientDataJSON', 'authenticatorData', 'signature']);
  const authData = Buffer.from(answer.response.authenticatorData as string, 'base64url');
  if (authData.length < 37) malformed();
  return {
    answer: answer as unknown as AuthenticationResponseJSON,
    clientData: clientDataOf(answer),
    counter: authData.readUInt32BE(33),
  };
}
