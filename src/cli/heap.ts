// V8 sizes its heap for throughput: under load the young generation grows from 1 MB semi-spaces to
// 16 MB ones, and the old one to about four times what is live. Both cost RSS (bench/README.md,
// "Memory"). The young generation is where a read's few kB of garbage goes, so its size sets how
// often a scavenge interrupts the reads: with 1 MB semi-spaces one every ~126 cached reads, with
// 4 MB ones every ~470, for ~6 MB more RSS. V8 reads the largest size only at start, so the
// `gatehouse` command's shebang gives it (`--max-semi-space-size=4`, main.ts). Started some other
// way (`node main.js`), the young generation is held at its starting 1 MB instead: the growth
// factor is read as the heap grows, so setting it before it has grown holds. Likewise the old
// generation may grow to twice what is live. main.ts calls this before it loads any other module.
// Only `serve` runs for long; an operator who sets either flag (NODE_OPTIONS or node's own flags)
// keeps theirs.
import { setFlagsFromString } from 'node:v8';

export function sizeHeapForServe(): void {
  if (process.argv[2] !== 'serve') return;
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].join(' ').replaceAll('_', '-');
  if (!given.includes('semi-space')) setFlagsFromString('--semi-space-growth-factor=1');
  if (!given.includes('heap-growing-percent')) setFlagsFromString('--heap-growing-percent=100');
}
