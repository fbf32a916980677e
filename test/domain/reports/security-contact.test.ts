// The Security Insights and SECURITY.md readers alone: what each version of the spec says, and
// that hostile or malformed files give nothing (never a throw) and only plain addresses and
// http(s) links come out.
import { describe, expect, it } from 'vitest';
import { parseSecurityInsights, parseSecurityMd } from '../../../src/domain/reports/security-contact.js';

describe('security contacts from package files', () => {
  it('reads Security Insights v2 (project.vulnerability-reporting) and v1 (vulnerability-reporting)', () => {
    const v2 =
      'project:\n  vulnerability-reporting:\n    contact:\n      email: s@a.example\n    policy: https://a.example/sec\n';
    expect(parseSecurityInsights(v2)).toEqual({
      source: 'SECURITY-INSIGHTS.yml',
      email: 's@a.example',
      url: 'https://a.example/sec',
    });
    const v1 = 'vulnerability-reporting:\n  email-contact: mailto:t@b.example\n  security-policy: https://b.example/p\n';
    expect(parseSecurityInsights(v1)).toEqual({
      source: 'SECURITY-INSIGHTS.yml',
      email: 't@b.example',
      url: 'https://b.example/p',
    });
  });

  it('gives nothing for malformed, silent or hostile files', () => {
    for (const text of [
      '',
      ': : :\n  - [',
      'project: 7',
      '- a\n- b',
      'vulnerability-reporting:\n  email-contact: "not an address"\n  security-policy: javascript:alert(1)',
      'vulnerability-reporting:\n  email-contact: [1, 2]\n  security-policy: {a: 1}',
      '!!binary aGVsbG8=',
      'a: &a [x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nvulnerability-reporting: *b',
    ]) {
      expect(parseSecurityInsights(text), text).toBeUndefined();
    }
  });

  it('reads the first address and link of a SECURITY.md, and keeps its opening as text', () => {
    const found = parseSecurityMd('# Policy\n\nMail <sec@c.example> or see https://c.example/report.\n');
    expect(found).toMatchObject({ source: 'SECURITY.md', email: 'sec@c.example', url: 'https://c.example/report' });
    expect(found?.excerpt).toBe('# Policy Mail <sec@c.example> or see https://c.example/report.');
    expect(parseSecurityMd('   \n ')).toBeUndefined();
    expect(parseSecurityMd('x'.repeat(5000))?.excerpt).toHaveLength(600);
    expect(parseSecurityMd('javascript:alert(1) and <script>')).toEqual({
      source: 'SECURITY.md',
      excerpt: 'javascript:alert(1) and <script>',
    });
  });
});
