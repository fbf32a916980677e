// The registry's /.well-known/security.txt (RFC 9116): whom to tell about a vulnerability in this
// deployment, where its policy is, until when the file holds. Pure: settings, the base URL and the
// clock's time in, the document out. Expires is always computed from the clock, so a file served
// by a registry that has run for years never goes stale (RFC 9116 §2.5.5: a stale file is ignored).

export interface DisclosureSettings {
  /** Comma-separated contact URIs (mailto:, https:, tel:); empty: mailto:security@<host of the base URL>. */
  contact: string;
  /** Days from now the file is valid for (1–365; RFC 9116 recommends less than a year). */
  expiresDays: number;
  /** Comma-separated language tags (RFC 5646), e.g. `en, de`. */
  languages: string;
  /** The policy's URL; empty: this registry's own /policies/security page. */
  policyUrl: string;
}

export interface SecurityTxt {
  contacts: string[];
  expires: string;
  languages: string[];
  policy: string;
  canonical: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const CONTACT = /^(mailto:[^\s@]+@[^\s@]+|https:\/\/[^\s]+|tel:\+?[0-9][0-9 ().-]*)$/i;
const LANGUAGE = /^[a-z]{2,8}(-[a-z0-9]{1,8})*$/i;

/** A setting that makes no valid file; thrown at start-up, never while serving. */
export class DisclosureSettingError extends Error {}

function listOf(setting: string): string[] {
  return setting
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

/** mailto:security@host for the registry's own host (an IP literal in brackets, RFC 5321 §4.1.3). */
export function defaultContact(baseUrl: string): string {
  const host = new URL(baseUrl).hostname;
  const domain = /^[0-9.]+$/.test(host) || host.startsWith('[') ? `[${host.replace(/^\[|\]$/g, '')}]` : host;
  return `mailto:security@${domain}`;
}

/** Checks the settings once, so a typo stops start-up instead of serving a file scanners reject. */
export function checkDisclosureSettings(settings: DisclosureSettings): void {
  for (const contact of listOf(settings.contact)) {
    if (!CONTACT.test(contact))
      throw new DisclosureSettingError(`securityContact: "${contact}" is not a mailto:, https: or tel: URI.`);
  }
  for (const language of listOf(settings.languages)) {
    if (!LANGUAGE.test(language)) throw new DisclosureSettingError(`securityLanguages: "${language}" is not a language tag.`);
  }
  if (!Number.isInteger(settings.expiresDays) || settings.expiresDays < 1 || settings.expiresDays > 365)
    throw new DisclosureSettingError('securityTxtExpiresDays is a whole number of days from 1 to 365.');
  if (settings.policyUrl !== '' && !/^https?:\/\/[^\s]+$/.test(settings.policyUrl))
    throw new DisclosureSettingError(`securityPolicyUrl: "${settings.policyUrl}" is not an http(s) URL.`);
}

export function securityTxt(settings: DisclosureSettings, baseUrl: string, nowMs: number): SecurityTxt {
  const contacts = listOf(settings.contact);
  return {
    contacts: contacts.length > 0 ? contacts : [defaultContact(baseUrl)],
    // Whole seconds: RFC 9116 §2.5.5 takes an RFC 3339 date-time; milliseconds add nothing.
    expires: new Date(Math.floor((nowMs + settings.expiresDays * DAY_MS) / 1000) * 1000).toISOString().replace('.000Z', 'Z'),
    languages: listOf(settings.languages),
    policy: settings.policyUrl || `${baseUrl}/policies/security`,
    canonical: `${baseUrl}/.well-known/security.txt`,
  };
}

/** The file's text: one field per line, CRLF-free (RFC 9116 §4 allows LF), ending in a newline. */
export function formatSecurityTxt(doc: SecurityTxt): string {
  const lines = [
    '# How to report a security vulnerability in this registry. See the policy for scope and safe harbour.',
    ...doc.contacts.map((c) => `Contact: ${c}`),
    `Expires: ${doc.expires}`,
    `Policy: ${doc.policy}`,
    ...(doc.languages.length > 0 ? [`Preferred-Languages: ${doc.languages.join(', ')}`] : []),
    `Canonical: ${doc.canonical}`,
  ];
  return `${lines.join('\n')}\n`;
}
