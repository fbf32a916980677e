// Only when Gatehouse runs from its TypeScript sources (vitest): Node 20 cannot load .ts files in a
// worker thread, so this entry registers source-loader.mjs and then loads worker.ts through it.
// The compiled build never uses this file: pool.ts points the pool at dist/…/worker.js instead.
import { register } from 'node:module';

register(new URL('./source-loader.mjs', import.meta.url));
const { default: render } = await import(new URL('./worker.ts', import.meta.url).href);
export default render;
