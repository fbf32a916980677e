// V8 sizes its heap for throughput: under load the young generation grows from 1 MB semi-spaces to
// 16 MB ones, and the old one to about four times what is live. A registry's cached reads allocate
// next to nothing, so both cost RSS and buy no speed (bench/README.md, "Memory"). Both flags are
// read as the heap grows, so setting them before it has grown holds: main.ts calls this before it
// loads any other module. Only `serve` runs for long; an operator who sets either flag
// (NODE_OPTIONS or node's own flags) keeps theirs.
import { setFlagsFromString } from 'node:v8';

export function sizeHeapForServe(): void {
  if (process.argv[2] !== 'serve') return;
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].join(' ').replaceAll('_', '-');
  if (!given.includes('semi-space')) setFlagsFromString('--semi-space-growth-factor=1');
  if (!given.includes('heap-growing-percent')) setFlagsFromString('--heap-growing-percent=100');
}
