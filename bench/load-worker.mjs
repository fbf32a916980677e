// The load generator, run as its own process (by load.mjs) so that it shares no event loop with the
// orchestrating script. Reads one job as JSON on stdin, prints one result as JSON on stdout.
// It only ever sends requests to the loopback URL it is given, for a bounded time.

import autocannon from 'autocannon';

const job = JSON.parse(await new Response(process.stdin).text());
if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(job.url)) throw new Error(`refusing non-loopback target ${job.url}`);

// autocannon starts every connection at the first request, so C connections together reach only the
// first responses ÷ C entries of the list. With `walk` they take turns along one walk through it
// instead, so a run covers as much of a large list (the memory benchmark's corpus) as it has responses.
function sharedWalk(requests) {
  let next = 0;
  return [{ setupRequest: (req) => ({ ...req, ...requests[next++ % requests.length] }) }];
}

function attack(seconds, samples) {
  const instance = autocannon({
    url: job.url,
    connections: job.connections,
    // `amount`: stop after that many requests instead of after a time (the memory bench's one walk).
    ...(job.amount && samples ? { amount: job.amount } : { duration: seconds }),
    requests: job.walk ? sharedWalk(job.requests) : job.requests,
    timeout: 10,
  });
  // autocannon's own histogram keeps whole milliseconds; a fast server answers in less than one,
  // so keep every response time (a float, in ms) and compute percentiles from those.
  if (samples) {
    instance.on('response', (_client, status, _bytes, ms) => {
      samples.times.push(ms);
      samples.statuses[status] = (samples.statuses[status] ?? 0) + 1;
    });
  }
  return instance;
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

if (job.warmup > 0) await attack(job.warmup, null);

const samples = { times: [], statuses: {} };
const result = await attack(job.duration, samples);
const times = Float64Array.from(samples.times).sort();
const expected = samples.statuses[job.expectStatus] ?? 0;

process.stdout.write(
  JSON.stringify({
    rps: expected / result.duration,
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    mean: times.reduce((a, b) => a + b, 0) / (times.length || 1),
    responses: times.length,
    expected,
    statuses: samples.statuses,
    errors: result.errors,
    timeouts: result.timeouts,
    bytesPerSec: result.throughput.average,
    seconds: result.duration,
  }),
);
