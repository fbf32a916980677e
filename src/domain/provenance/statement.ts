// The in-toto statement inside a provenance bundle's DSSE envelope, checked against the version
// being published. Pure: imports nothing from storage or http. attacker-controlled: the payload
// comes from the publisher, so every field is type-checked before it is read.
import { fail } from '../errors.js';

export const IN_TOTO_STATEMENT_V1 = 'https://in-toto.io/Statement/v1';
export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';
/** The payload type a DSSE envelope carrying an in-toto statement declares. */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

export interface Subject {
  name: string;
  digest: Record<string, string>;
}

export interface Statement {
  predicateType: string;
  subject: Subject[];
  predicate: Record<string, unknown>;
}

/** The package URL npm signs (npm-package-arg `toPurl`): the scope's `@` is percent-encoded. */
export function npmPurl(name: string, version: string): string {
  return `pkg:npm/${name.startsWith('@') ? `%40${name.slice(1)}` : name}@${version}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseStatement(payload: Buffer): Statement {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload.toString('utf8'));
  } catch {
    fail('ProvenanceMalformed', 'The provenance statement is not JSON.');
  }
  if (!isRecord(parsed) || parsed._type !== IN_TOTO_STATEMENT_V1)
    fail('ProvenanceMalformed', `The provenance payload is not an in-toto statement (${IN_TOTO_STATEMENT_V1}).`);
  const { predicateType, subject, predicate } = parsed;
  if (typeof predicateType !== 'string' || !Array.isArray(subject) || !isRecord(predicate))
    fail('ProvenanceMalformed', 'The in-toto statement needs a predicateType, a subject list and a predicate.');
  const subjects = subject.map((s): Subject => {
    if (!isRecord(s) || typeof s.name !== 'string' || !isRecord(s.digest))
      fail('ProvenanceMalformed', 'Each subject of the statement needs a name and a digest.');
    const digest = Object.fromEntries(Object.entries(s.digest).filter(([, v]) => typeof v === 'string')) as Record<
      string,
      string
    >;
    return { name: s.name, digest };
  });
  return { predicateType, subject: subjects, predicate };
}

/** The statement must name exactly this package version and this tarball's sha512. */
export function assertSubject(statement: Statement, name: string, version: string, sha512Hex: string): void {
  const purl = npmPurl(name, version);
  const subject = statement.subject.find((s) => s.name === purl);
  if (!subject)
    fail(
      'ProvenanceSubjectMismatch',
      `The provenance statement does not name ${purl}; it was made for another package or version.`,
    );
  if (subject.digest.sha512?.toLowerCase() !== sha512Hex)
    fail(
      'ProvenanceSubjectMismatch',
      `The provenance statement's sha512 for ${purl} is not this tarball's: it was made for other bytes.`,
    );
}
