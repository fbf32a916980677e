#!/usr/bin/env node
// The `gatehouse` command's entry: sizes V8's heap for the server before anything else is loaded
// (loading the registry's modules is what first grows it), then runs the command line.
import { sizeHeapForServe } from './heap.js';

sizeHeapForServe();
await import('./commands.js');
