// If-None-Match as RFC 9110 §13.1.2 defines it: `*`, or a list of entity tags compared weakly
// (W/"x" matches "x"). attacker-controlled: a header that does not parse is treated as absent,
// never as an error, so a broken proxy or client gets the full answer rather than a 4xx or 500.

// entity-tag = [ W/ ] DQUOTE *etagc DQUOTE; etagc = %x21 / %x23-7E / obs-text (§8.8.3).
const ENTITY_TAG = /[ \t]*(?:W\/)?("[\x21\x23-\x7e\x80-\xff]*")[ \t]*(,|$)/y;

/** The opaque tags (quotes kept, W/ dropped), `*`, or undefined when the header is malformed. */
export function parseIfNoneMatch(header: string): string[] | '*' | undefined {
  if (header.trim() === '*') return '*';
  const tags: string[] = [];
  ENTITY_TAG.lastIndex = 0;
  let at = 0;
  while (at < header.length) {
    // A list may hold empty elements: `"a", , "b"` (§5.6.1).
    const c = header.charCodeAt(at);
    if (c === 0x2c || c === 0x20 || c === 0x09) {
      at++;
      continue;
    }
    ENTITY_TAG.lastIndex = at;
    const match = ENTITY_TAG.exec(header);
    if (!match) return undefined;
    tags.push(match[1]!);
    at = ENTITY_TAG.lastIndex;
  }
  return tags.length > 0 ? tags : undefined;
}

/** True when a GET or HEAD with this If-None-Match should get a 304 for a resource tagged `etag`. */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  // The common case, a client echoing the tag it was given, costs one comparison.
  if (header === etag) return true;
  const tags = parseIfNoneMatch(header);
  if (tags === undefined) return false;
  if (tags === '*') return true;
  const opaque = etag.startsWith('W/') ? etag.slice(2) : etag;
  return tags.includes(opaque);
}
