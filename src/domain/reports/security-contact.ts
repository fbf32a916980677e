// Whom to tell about a vulnerability in a package, as the version's own tarball says: its
// SECURITY-INSIGHTS.yml (OpenSSF Security Insights, v2 `project.vulnerability-reporting`, v1
// `vulnerability-reporting`) or its SECURITY.md (where GitHub looks: the top folder, .github/, docs/).
// attacker-controlled: both files are the publisher's. Sizes are bounded, YAML aliases capped, a
// file that does not parse is ignored, and only a plain address and http(s) URLs come out.
import { parse } from 'yaml';
import type { TarballInspector } from '../packages/tarball-inspectors.js';

export interface SecurityContact {
  /** The file it came from. */
  source: 'SECURITY-INSIGHTS.yml' | 'SECURITY.md';
  email?: string;
  /** Where to read the security policy (Security Insights) or to report (the first link in SECURITY.md). */
  url?: string;
  /** SECURITY.md's first lines as plain text, for the page to show (escaped). */
  excerpt?: string;
}

/** Read of each file: far above any real one. */
export const MAX_SECURITY_FILE_BYTES = 64 * 1024;
const MAX_EXCERPT = 600;
const EMAIL = /^[^\s@<>()[\]"',;:]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;

function email(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const address = value.trim().replace(/^mailto:/i, '');
  return address.length <= 254 && EMAIL.test(address) ? address : undefined;
}

function webUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 2048) return undefined;
  try {
    const url = new URL(value.trim());
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

/** The contact a Security Insights file gives; undefined when malformed or silent. */
export function parseSecurityInsights(text: string): SecurityContact | undefined {
  let doc: unknown;
  try {
    // An alias bomb ("billion laughs") stops at the cap instead of filling memory.
    doc = parse(text, { maxAliasCount: 20, uniqueKeys: false, prettyErrors: false });
  } catch {
    return undefined;
  }
  // v2 nests it under `project`; v1 has it at the top.
  const reporting = field(field(doc, 'project'), 'vulnerability-reporting') ?? field(doc, 'vulnerability-reporting');
  if (reporting === undefined) return undefined;
  const contact = field(reporting, 'contact');
  const found: SecurityContact = {
    source: 'SECURITY-INSIGHTS.yml',
    email: email(field(contact, 'email')) ?? email(field(reporting, 'email-contact')),
    url: webUrl(field(reporting, 'policy')) ?? webUrl(field(reporting, 'security-policy')),
  };
  return found.email || found.url ? withoutUndefined(found) : undefined;
}

/** The first address and link in a SECURITY.md, and its opening as plain text. */
export function parseSecurityMd(text: string): SecurityContact | undefined {
  const mail = /(?:mailto:)?([^\s@<>()[\]"',;:`*]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)/.exec(text)?.[1];
  const link = /https?:\/\/[^\s<>()[\]"'`]+/.exec(text)?.[0];
  const excerpt = text.replace(/\s+/g, ' ').trim().slice(0, MAX_EXCERPT);
  if (!excerpt) return undefined;
  return withoutUndefined({ source: 'SECURITY.md', email: email(mail), url: webUrl(link?.replace(/[.,;:]+$/, '')), excerpt });
}

function withoutUndefined(contact: SecurityContact): SecurityContact {
  return Object.fromEntries(Object.entries(contact).filter(([, v]) => v !== undefined)) as unknown as SecurityContact;
}

const INSIGHTS = /^(\.github\/)?security-insights\.ya?ml$/i;
const SECURITY_MD = /^((\.github|docs)\/)?security\.md$/i;

/** Keeps the first 64 KiB of each candidate file and, at the end, the contact they give. */
export function securityContactInspector(): TarballInspector<SecurityContact | undefined> {
  let insights: Buffer | undefined;
  let securityMd: { depth: number; body: Buffer } | undefined;
  return {
    name: 'security-contact',
    entry(entry, bytes) {
      if (entry.type !== 'file') return;
      const prefix = () => Buffer.from(bytes.subarray(0, MAX_SECURITY_FILE_BYTES));
      if (INSIGHTS.test(entry.path) && (insights === undefined || !entry.path.includes('/'))) insights = prefix();
      const depth = entry.path.split('/').length;
      if (SECURITY_MD.test(entry.path) && (securityMd === undefined || depth < securityMd.depth))
        securityMd = { depth, body: prefix() };
    },
    finish() {
      const decode = (b: Buffer) => new TextDecoder('utf-8').decode(b, { stream: true });
      return (
        (insights && parseSecurityInsights(decode(insights))) ??
        (securityMd ? parseSecurityMd(decode(securityMd.body)) : undefined)
      );
    },
  };
}
