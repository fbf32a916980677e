// `gatehouse verify`: checks, against a registry's transparency log, that every version a lockfile
// pins from that registry is in the log with the same sha512, and that the log only grew since the
// last checkpoint this machine saw. Trust: the log key given with --log-key, else the one pinned at
// first use (kept in the state file with the last checkpoint). Exits non-zero on any failure.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { homedir } from 'node:os';
import { ClientError } from './errors.js';
import { PUBLISH_EVENTS } from '../domain/transparency/entries.js';
import { leafHash, verifyConsistency, verifyInclusion } from '../domain/transparency/merkle.js';
import { cosignatureTime, openCheckpoint, parseVerifierKey, type Checkpoint } from '../domain/transparency/note.js';
import { lockedVersions, type LockedVersion } from '../domain/transparency/lockfile.js';
import type { EventType } from '../domain/events/store.js';

export interface VerifyOptions {
  lockfile: string;
  registry: string;
  logKey?: string;
  stateFile?: string;
  /** Witness vkeys whose cosignature the checkpoint must carry. */
  witnesses?: string[];
  out?: (line: string) => void;
}

interface SeenLog {
  vkey: string;
  size: number;
  root: string;
}

type State = Record<string, SeenLog>;

export function defaultStateFile(): string {
  const base = process.env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'gatehouse', 'tlog-state.json');
}

/** True when everything verified. */
export async function verifyLockfile(opts: VerifyOptions): Promise<boolean> {
  const out = opts.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const registry = opts.registry.replace(/\/+$/, '');
  const stateFile = opts.stateFile ?? defaultStateFile();
  const state = readState(stateFile);
  const seen = state[registry];
  const vkey = opts.logKey ?? seen?.vkey ?? (await text(`${registry}/-/tlog/vkey`)).trim();
  if (!opts.logKey && !seen) out(`Trusting the log key ${vkey} on first use (pin it with --log-key).`);
  if (seen && opts.logKey && seen.vkey !== opts.logKey) out(`Note: --log-key differs from the key pinned in ${stateFile}.`);
  const verifier = parseKey(vkey);
  const witnesses = (opts.witnesses ?? []).map(parseKey);
  let checkpoint: Checkpoint;
  try {
    const opened = openCheckpoint(await text(`${registry}/-/tlog/checkpoint`), verifier);
    checkpoint = opened.checkpoint;
    const missing = witnesses.filter((w) => cosignatureTime(opened.text, opened.signatures, w) === undefined);
    if (missing.length > 0) throw new TypeError(`no valid cosignature by ${missing.map((w) => w.name).join(', ')}`);
  } catch (err) {
    out(`FAIL checkpoint: ${(err as Error).message}`);
    return false;
  }
  if (witnesses.length > 0) out(`Cosigned by ${witnesses.map((w) => w.name).join(', ')}.`);
  out(`Checkpoint: ${checkpoint.origin}, ${checkpoint.size} entries, root ${checkpoint.root.toString('base64')}`);
  if (seen && !(await grewFrom(registry, seen, checkpoint, out))) return false;
  state[registry] = { vkey, size: checkpoint.size, root: checkpoint.root.toString('base64') };
  writeState(stateFile, state);

  const locked = lockedVersions(JSON.parse(readFileSync(opts.lockfile, 'utf8')) as unknown, registry);
  let failed = 0;
  for (const version of locked) {
    const problem = await inclusionProblem(registry, version, checkpoint);
    if (problem) failed += 1;
    out(problem ? `FAIL ${version.name}@${version.version}: ${problem}` : `ok   ${version.name}@${version.version}`);
  }
  out(
    failed === 0
      ? `All ${locked.length} versions from ${registry} are in the log.`
      : `${failed} of ${locked.length} versions from ${registry} failed verification.`,
  );
  return failed === 0;
}

function parseKey(vkey: string) {
  try {
    return parseVerifierKey(vkey);
  } catch (err) {
    throw new ClientError(`The log key is not a verifier key: ${(err as Error).message}`);
  }
}

/** The log only grew since `seen`: a consistency proof from it to `now` verifies. */
async function grewFrom(registry: string, seen: SeenLog, now: Checkpoint, out: (line: string) => void): Promise<boolean> {
  const oldRoot = Buffer.from(seen.root, 'base64');
  if (now.size < seen.size) {
    out(`FAIL consistency: the log has ${now.size} entries, fewer than the ${seen.size} seen before: it was rewritten.`);
    return false;
  }
  if (now.size === seen.size) {
    if (now.root.equals(oldRoot)) return true;
    out(`FAIL consistency: the log's root for ${now.size} entries changed since it was last seen: it was rewritten.`);
    return false;
  }
  const body = JSON.parse(await text(`${registry}/-/tlog/proof/consistency?from=${seen.size}&to=${now.size}`)) as {
    proof: string[];
  };
  const proof = body.proof.map((p) => Buffer.from(p, 'base64'));
  if (verifyConsistency(seen.size, now.size, proof, oldRoot, now.root)) {
    out(`Consistent with the checkpoint seen before (${seen.size} entries).`);
    return true;
  }
  out(`FAIL consistency: the log of ${now.size} entries does not extend the ${seen.size} seen before: it was rewritten.`);
  return false;
}

/** Why `version` is not proven to be in the log with its pinned digest, or undefined. */
async function inclusionProblem(registry: string, version: LockedVersion, checkpoint: Checkpoint): Promise<string | undefined> {
  const query = `name=${encodeURIComponent(version.name)}&version=${encodeURIComponent(version.version)}&size=${checkpoint.size}`;
  const response = await fetch(`${registry}/-/tlog/proof/inclusion?${query}`);
  if (response.status === 404) return 'not in the log';
  if (!response.ok) return `the registry answered HTTP ${response.status}`;
  const body = (await response.json()) as { leaf: number; entry: string; proof: string[] };
  let entry: { type?: EventType; packageName?: string; version?: string; data?: { integrity?: string } };
  try {
    entry = JSON.parse(body.entry) as typeof entry;
  } catch {
    return 'the log entry is not JSON';
  }
  if (!entry.type || !PUBLISH_EVENTS.has(entry.type) || entry.packageName !== version.name || entry.version !== version.version) {
    return `leaf ${body.leaf} is not the publish of this version`;
  }
  if (entry.data?.integrity !== version.integrity)
    return `the log has integrity ${entry.data?.integrity}, the lockfile ${version.integrity}`;
  const proof = body.proof.map((p) => Buffer.from(p, 'base64'));
  if (!verifyInclusion(body.leaf, checkpoint.size, leafHash(Buffer.from(body.entry, 'utf8')), proof, checkpoint.root)) {
    return `the inclusion proof of leaf ${body.leaf} does not lead to the checkpoint's root`;
  }
  return undefined;
}

async function text(url: string): Promise<string> {
  const response = await fetch(url);
  if (!response.ok)
    throw new ClientError(`${url} answered HTTP ${response.status}: is this a Gatehouse registry with a transparency log?`);
  return response.text();
}

function readState(file: string): State {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as State;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ClientError(`Cannot read the state file ${file}: ${(err as Error).message}`);
  }
}

function writeState(file: string, state: State): void {
  mkdirSync(dirname(file), { recursive: true });
  // Written aside and renamed, so a crash never leaves half a state file.
  writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}
