#!/usr/bin/env -S MALLOC_MMAP_THRESHOLD_=131072 NODE_OPTIONS="--max-semi-space-size=4 ${NODE_OPTIONS}" node
// The `gatehouse` command's entry: sizes V8's heap for the server before anything else is loaded
// (loading the registry's modules is what first grows it), then runs the command line.
// The line above sets what Node and glibc read only at start:
// - V8's semi-spaces of at most 4 MB (heap.ts says why), through NODE_OPTIONS and before the
//   operator's own flags there, so that an operator's value wins;
// - glibc's mmap threshold held at its default 128 kB. Left to adjust itself, it rises after the
//   first free of a large block, and then every scrypt (16 MiB, accounts/passwords.ts) on each of libuv's
//   four threads stays in that thread's malloc arena after the hash: 3 logins kept 33 MB more RSS.
import { sizeHeapForServe } from './heap.js';

sizeHeapForServe();
await import('./commands.js');
