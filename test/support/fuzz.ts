// Settings shared by the property tests of the parsers that face the internet (test/security/):
// one fixed seed, so a run is repeatable and a failure replays; fast-check prints the seed and
// the shrunk counterexample's path when a property fails. GATEHOUSE_FUZZ_SEED picks another seed,
// GATEHOUSE_FUZZ_RUNS multiplies the number of cases (a longer local hunt).
import type { Parameters } from 'fast-check';

const SEED = Number(process.env.GATEHOUSE_FUZZ_SEED ?? 20261204);
const SCALE = Math.max(1, Number(process.env.GATEHOUSE_FUZZ_RUNS ?? 1));

export function fuzzParameters<T>(numRuns: number): Parameters<T> {
  return { seed: SEED, numRuns: Math.round(numRuns * SCALE), endOnFailure: false };
}
