// How pages write times and sizes: fixed formats in UTC, so a page reads the same to everyone and
// needs no script to localise it.
import { html, type SafeHtml } from './html.js';

/** `2025-03-14 09:26 UTC` inside a <time> element that carries the exact instant. */
export function time(iso: string): SafeHtml {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return html`${iso}`;
  const shown = `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return html`<time datetime="${date.toISOString()}">${shown}</time>`;
}

export function bytes(count: number): string {
  if (count < 1024) return `${count} B`;
  if (count < 1024 * 1024) return `${(count / 1024).toFixed(1)} KiB`;
  return `${(count / 1024 / 1024).toFixed(1)} MiB`;
}
