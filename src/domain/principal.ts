// Moved to domain/access/principal.ts; this re-export keeps existing imports compiling.
export * from './access/principal.js';
