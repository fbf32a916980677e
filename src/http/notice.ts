// The `npm-notice` header npm prints as `npm notice …` (npm-registry-fetch check-response.js).
// Its text can quote what a publisher sent (a scan finding's excerpt of a binary file, say), and
// a header value may hold only visible ASCII and spaces: anything else would make Node throw
// while answering, after the change had committed. So every other character becomes "?".
const MAX_NOTICE = 2000;

export function noticeHeader(notices: readonly string[]): string {
  return notices
    .join(' ')
    .replace(/[^\x20-\x7e]/g, '?')
    .slice(0, MAX_NOTICE);
}
