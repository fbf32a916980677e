// Command-line flags of `npm run bench -- …`.

import { parseArgs } from 'node:util';
import { READ_CASES } from './load.mjs';
import { pinning } from './processes.mjs';

/** A mistake on the command line: shown without a stack trace. */
export class UsageError extends Error {}

export const REGISTRIES = ['gatehouse', 'verdaccio', 'nginx', 'bare'];

const FLAGS = {
  packages: { type: 'string', default: '300', help: 'packages in the corpus' },
  versions: { type: 'string', default: '3', help: 'versions per package (1.0.0, 1.1.0, 2.0.0, …)' },
  'root-deps': { type: 'string', default: '20', help: 'direct dependencies of the app installed by npm ci' },
  duration: { type: 'string', default: '10', help: 'seconds per read case' },
  warmup: { type: 'string', default: '2', help: 'seconds of warm-up before each read case' },
  rounds: { type: 'string', default: '1', help: 'rounds per read case, alternating between registries (median kept)' },
  connections: { type: 'string', default: '32', help: 'concurrent connections of the load generator' },
  publishes: { type: 'string', default: '100', help: 'versions published for the publish-latency case' },
  'ci-runs': { type: 'string', default: '3', help: 'npm ci runs (the median is reported)' },
  'seed-jobs': { type: 'string', default: '2', help: 'npm publish --workspaces processes in parallel while seeding' },
  only: { type: 'string', default: REGISTRIES.join(','), help: 'registries to measure, e.g. gatehouse,nginx,bare' },
  skip: { type: 'string', default: '', help: 'cases to skip: reads,publish,ci' },
  cases: { type: 'string', default: '', help: 'read cases to measure (default all), e.g. full,tarball' },
  'verdaccio-tokens': { type: 'string', default: 'jwt', help: 'jwt, or legacy (its default: a bcrypt check per request)' },
  'no-pin': { type: 'boolean', default: false, help: 'let servers and wrk share every core (default: servers on the last one)' },
  keep: { type: 'boolean', default: false, help: 'keep the temp folder (data, logs) afterwards' },
  help: { type: 'boolean', default: false, help: 'show this help' },
};

function usage() {
  const lines = Object.entries(FLAGS).map(([name, f]) => {
    const arg = f.type === 'string' ? ` <${f.default || 'list'}>` : '';
    return `  --${(name + arg).padEnd(24)} ${f.help}`;
  });
  return `usage: npm run bench -- [flags]\n${lines.join('\n')}`;
}

function positive(name, text) {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer, got ${text}\n${usage()}`);
  return n;
}

function list(name, text, allowed) {
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = items.filter((item) => !allowed.includes(item));
  if (unknown.length) throw new UsageError(`--${name}: unknown ${unknown.join(', ')} (choose from ${allowed.join(', ')})`);
  return items;
}

export function parseOptions(argv) {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: FLAGS, strict: true }));
  } catch (err) {
    throw new UsageError(`${err.message}\n${usage()}`);
  }
  if (values.help) {
    console.log(usage());
    process.exit(0);
  }
  return {
    packages: positive('packages', values.packages),
    versions: positive('versions', values.versions),
    rootDeps: positive('root-deps', values['root-deps']),
    duration: positive('duration', values.duration),
    warmup: Number(values.warmup),
    connections: positive('connections', values.connections),
    rounds: positive('rounds', values.rounds),
    publishes: positive('publishes', values.publishes),
    ciRuns: positive('ci-runs', values['ci-runs']),
    seedJobs: positive('seed-jobs', values['seed-jobs']),
    only: list('only', values.only, REGISTRIES),
    skip: list('skip', values.skip, ['reads', 'publish', 'ci']),
    cases: list(
      'cases',
      values.cases,
      READ_CASES.map((c) => c.id),
    ),
    verdaccioTokens: list('verdaccio-tokens', values['verdaccio-tokens'], ['jwt', 'legacy'])[0] ?? 'jwt',
    keep: values.keep,
    pin: values['no-pin'] ? null : pinning(),
  };
}
