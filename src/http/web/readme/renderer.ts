// A version's README as its web page shows it: rendered once per version (first view), kept in the
// database for every instance and restart, capped, rendered off the event loop (pool.ts). What a
// crafted README can cost is one thread for one time limit, once; it must never stall a read.
import type { StoredReadme } from '../../../domain/packages/store.js';
import { html, trusted, type SafeHtml } from '../html.js';
import { RenderPool, type RenderPoolOptions } from './pool.js';

export interface ReadmeRendererOptions extends RenderPoolOptions {
  /** Bytes of README rendered as markdown; the rest is shown as plain text. */
  renderBytes: number;
}

/** Splits at `limit` UTF-8 bytes, at the last line break before it when there is one. */
export function splitReadme(readme: string, limit: number): { head: string; rest: string } {
  const bytes = Buffer.from(readme, 'utf8');
  if (bytes.length <= limit) return { head: readme, rest: '' };
  let end = Math.floor(limit);
  // Never cut inside a character: continuation bytes are 10xxxxxx.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  const lineEnd = bytes.lastIndexOf(0x0a, end - 1);
  if (lineEnd > 0) end = lineEnd + 1;
  return { head: bytes.subarray(0, end).toString('utf8'), rest: bytes.subarray(end).toString('utf8') };
}

/** The whole README escaped, for when markdown could not be rendered in time (or at all). */
export function plainReadme(readme: string): SafeHtml {
  return html`<pre class="readme-plain">${readme}</pre>`;
}

function restOfReadme(rest: string, renderBytes: number): SafeHtml {
  return html`<p class="notice readme-cut">
      This README is longer than ${Math.round(renderBytes / 1024)} kB; the rest is shown as plain text.
    </p>
    <pre class="readme-rest">${rest}</pre>`;
}

/** Where rendered READMEs are kept: the packages service, so every instance renders a version once. */
export interface ReadmeArchive {
  storedReadme(name: string, version: string): Promise<StoredReadme | undefined>;
  keepReadme(name: string, version: string, readme: StoredReadme): Promise<void>;
}

export class ReadmeRenderer {
  readonly pool: RenderPool;
  /** Two first views of one version at once share one render. */
  private readonly inFlight = new Map<string, Promise<SafeHtml>>();

  constructor(
    private readonly archive: ReadmeArchive,
    private readonly options: ReadmeRendererOptions,
  ) {
    this.pool = new RenderPool(options);
  }

  /** The README of name@version as safe HTML; `readme` is its markdown. */
  async html(name: string, version: string, readme: string): Promise<SafeHtml> {
    const stored = await this.archive.storedReadme(name, version);
    if (stored) return trusted(stored.html);
    const key = `${name}@${version}`;
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.renderAndKeep(name, version, readme).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  private async renderAndKeep(name: string, version: string, readme: string): Promise<SafeHtml> {
    const { head, rest } = splitReadme(readme, this.options.renderBytes);
    const result = head.trim() === '' ? ({ kind: 'rendered', html: '' } as const) : await this.pool.render(head);
    // Busy: plain text for this view only; a later view renders it.
    if (result.kind === 'busy') return plainReadme(readme);
    const kept: StoredReadme =
      result.kind === 'rendered'
        ? { html: result.html + (rest ? restOfReadme(rest, this.options.renderBytes).value : ''), outcome: 'rendered' }
        : { html: plainReadme(readme).value, outcome: result.kind };
    await this.archive.keepReadme(name, version, kept);
    return trusted(kept.html);
  }
}
