// Markdown from package authors (READMEs) and from our own docs, turned into HTML that is safe to
// put on our pages. attacker-controlled: a README is written by whoever publishes, so everything
// marked produces goes through an allowlist; nothing here may let script, styles or frames through.
import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';
import { trusted, type SafeHtml } from './html.js';

/** Longer READMEs are cut here rather than spending a request's time on rendering them. */
export const MAX_MARKDOWN_CHARS = 500_000;

const marked = new Marked({ gfm: true, async: false });

const LINK_REL = 'nofollow noopener noreferrer';

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: (
    'h1 h2 h3 h4 h5 h6 p br hr blockquote pre code kbd samp em strong b i u s del ins mark sub sup small abbr ' +
    'ul ol li dl dt dd a img details summary input div span table thead tbody tfoot tr th td caption'
  ).split(' '),
  // No style, no id or name (DOM clobbering), no event handlers: only what reading needs.
  allowedAttributes: {
    // rel is always ours: transformTags (which runs before this allowlist) overwrites the author's.
    a: ['href', 'title', 'rel'],
    img: ['src', 'alt', 'title', 'width', 'height', 'align'],
    div: ['align'],
    p: ['align'],
    h1: ['align'],
    h2: ['align'],
    h3: ['align'],
    th: ['align'],
    td: ['align'],
    ol: ['start'],
    abbr: ['title'],
    details: ['open'],
    input: [{ name: 'type', multiple: false, values: ['checkbox'] }, 'checked', 'disabled'],
  },
  allowedClasses: { code: [/^language-[\w+-]+$/] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['http', 'https', 'data'] },
  allowedSchemesAppliedToAttributes: ['href', 'src'],
  disallowedTagsMode: 'discard',
  transformTags: {
    a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: LINK_REL } }),
    // GFM task lists render checkboxes: they stay, and stay inert (other inputs go, below).
    input: (tagName, attribs) => ({ tagName, attribs: { ...attribs, disabled: '' } }),
  },
  exclusiveFilter: (frame) =>
    // Images only from http(s) or data: URLs; a relative or scheme-less src would point into this site.
    (frame.tag === 'img' && !/^(https?:|data:)/i.test(frame.attribs.src ?? '')) ||
    (frame.tag === 'input' && frame.attribs.type !== 'checkbox'),
};

export function sanitize(dirtyHtml: string): SafeHtml {
  return trusted(sanitizeHtml(dirtyHtml, SANITIZE));
}

export function renderMarkdown(markdown: string): SafeHtml {
  const source = markdown.length > MAX_MARKDOWN_CHARS ? markdown.slice(0, MAX_MARKDOWN_CHARS) : markdown;
  return sanitize(marked.parse(source, { async: false }));
}
