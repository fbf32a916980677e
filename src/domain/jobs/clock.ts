// The clock moved to src/domain/clock.ts when every service began to read it; kept so existing
// imports of the jobs' clock keep working.
export { ManualClock, systemClock, type Clock } from '../clock.js';
