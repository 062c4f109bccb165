import { appendFile, mkdir, readdir, readFile, rm, rmdir, truncate, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { isAbsolute, join, relative, sep } from 'node:path';

import { writeFileAtomic } from '@dcgan/common/node';

import type { QualitySettings } from './quality';
import { TrainError } from './errors/train-error';
import type { RunTargets } from './train-options';

/** What `run.json` records about a run, so a resume rebuilds the same data pipeline and keeps its targets. */
export interface RunRecord extends Partial<RunTargets> {
  readonly version: 1;
  readonly createdAt: string;
  readonly name: string;
  readonly data: string | null;
  readonly format: string;
  /** Absolute path of the `@dcgan/dedup` report whose dropped items are left out; absent: all items are used. */
  readonly dedupReport?: string;
  readonly size: number;
  readonly channels: 1 | 3;
  readonly baseWidth: number;
  /** Absent in runs made before the option existed: 4. */
  readonly kernelSize?: 4 | 5;
  readonly batchSize: number;
  readonly seed: number;
  /** FID/KID during training (`TrainOptions.quality`, resolved); absent or `null`: none. */
  readonly quality?: QualitySettings | null;
}

export const runFileName = 'run.json';
const lockName = 'run.lock';
const epochLogName = 'epochs.ndjson';
const positionLogName = 'data-positions.ndjson';
/** What a run writes into its folder (removed again when a new run fails before its first step). */
const runEntries = [
  runFileName,
  'samples',
  'checkpoint',
  'generator',
  'metrics.ndjson',
  'skipped.ndjson',
  'curves.png',
  epochLogName,
  positionLogName,
];
/** TensorBoard event files (`events.out.tfevents.<seconds>.<host>`), one per session. */
const eventFilePattern = /^events\.out\.tfevents\./;

/** Writes run.json atomically and durably (a crash leaves the old one or the new one). */
export async function writeRunRecord(directory: string, record: RunRecord): Promise<void> {
  await writeFileAtomic(join(directory, runFileName), `${JSON.stringify(record, null, 2)}\n`);
}

/**
 * Throws a TrainError unless `directory` is missing or empty (a lock this process holds aside, and the folder of the
 * run's own dedup report when it lies inside the run folder: `<run>/dedup/dedup-report.json` allows `dedup`).
 */
export async function assertRunDirectoryFree(directory: string, ownLock = false, dedupReport?: string): Promise<void> {
  const reportFolder = dedupReport === undefined ? null : folderInside(directory, dedupReport);
  const entries = (await listEntries(directory)).filter(
    (entry) => !(ownLock && entry === lockName) && entry !== reportFolder,
  );
  if (entries.includes(runFileName)) {
    throw new TrainError(
      `Output directory ${directory} already holds a run (${runFileName}); resume it, or choose another folder`,
    );
  }
  if (entries.length > 0) {
    throw new TrainError(
      `Output directory ${directory} is not empty (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', ...' : ''}); choose a new or empty folder`,
    );
  }
}

/** The entry of `directory` that holds `path` in a subfolder, or `null` (outside, or a file of `directory` itself). */
function folderInside(directory: string, path: string): string | null {
  const parts = relative(directory, path).split(sep);
  return parts.length >= 2 && parts[0] !== '..' && parts[0] !== '' && !isAbsolute(parts[0]!) ? parts[0]! : null;
}

async function listEntries(directory: string): Promise<string[]> {
  return readdir(directory).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw new TrainError(`Cannot use output directory ${directory}: ${error.message}`, { cause: error });
  });
}

/** Run folders this process holds the lock of. */
const heldHere = new Set<string>();

/**
 * Takes the run folder's lock (`run.lock`, holding this process's PID and host), so that two processes never
 * train one run. A lock left by a process that is gone (same host, PID not running) is taken over.
 * Returns the function that gives it back.
 */
export async function lockRunDirectory(directory: string): Promise<() => Promise<void>> {
  const path = join(directory, lockName);
  const mine = JSON.stringify({ pid: process.pid, host: hostName(), startedAt: new Date().toISOString() });
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      await writeFile(path, `${mine}\n`, { flag: 'wx' });
      heldHere.add(directory);
      return async () => {
        heldHere.delete(directory);
        const text = await readFile(path, 'utf8').catch(() => '');
        if (text.trim() === mine) await rm(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST')
        throw new TrainError(`Cannot lock ${directory}: ${(error as Error).message}`, { cause: error });
    }
    const holder = await readLock(path);
    // This process's own PID in a lock it does not hold: left by an earlier process that had the same PID, as
    // a restarted container's PID 1 does.
    const ours =
      holder !== null && holder.host === hostName() && holder.pid === process.pid && !heldHere.has(directory);
    if (holder !== null && !ours && (holder.host !== hostName() || isRunning(holder.pid))) {
      throw new TrainError(
        `${directory} is being trained by another process (PID ${holder.pid} on ${holder.host}, since ${holder.startedAt}); ` +
          `wait for it to end, or delete ${path} if that process is gone`,
      );
    }
    await rm(path, { force: true }); // stale: its process is gone (or the file was cut by a crash)
  }
  throw new TrainError(`Cannot lock ${directory}: another process took ${path} at the same moment`);
}

async function readLock(path: string): Promise<{ pid: number; host: string; startedAt: string } | null> {
  try {
    const lock = JSON.parse(await readFile(path, 'utf8')) as { pid: number; host: string; startedAt: string };
    return Number.isInteger(lock.pid) && typeof lock.host === 'string' ? lock : null;
  } catch {
    return null;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, owned by another user
  }
}

function hostName(): string {
  return hostname();
}

/**
 * Removes what a new run wrote when it failed before its first step, so that the same command can run again;
 * the folder itself too when the run made it. Nothing else in the folder is touched.
 */
export async function removeUntrainedRun(directory: string, madeFolder: boolean): Promise<void> {
  for (const entry of runEntries) await rm(join(directory, entry), { recursive: true, force: true });
  // The folder was empty when the run started (assertRunDirectoryFree), so an event file in it is this run's.
  for (const entry of await listEntries(directory))
    if (eventFilePattern.test(entry)) await rm(join(directory, entry), { force: true });
  if (madeFolder) await rmdir(directory).catch(() => undefined); // only when empty
}

/** Whether `directory` exists. */
export async function directoryExists(directory: string): Promise<boolean> {
  return readdir(directory).then(
    () => true,
    () => false,
  );
}

/** Makes the run folder and its samples folder. */
export async function makeRunDirectory(directory: string): Promise<void> {
  await mkdir(join(directory, 'samples'), { recursive: true });
}

/** Reads and checks `run.json` of a run to resume. */
export async function readRunRecord(directory: string): Promise<RunRecord> {
  const path = join(directory, runFileName);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new TrainError(`Cannot resume: ${path} not found (is ${directory} a training run folder?)`);
  }
  let record: RunRecord;
  try {
    record = JSON.parse(text) as RunRecord;
  } catch (error) {
    throw new TrainError(`Cannot resume: ${path} is not valid JSON (${(error as Error).message})`);
  }
  if (record.version !== 1 || typeof record.size !== 'number' || typeof record.batchSize !== 'number') {
    throw new TrainError(`Cannot resume: ${path} is not a training run record (version ${String(record.version)})`);
  }
  if (record.dedupReport !== undefined && typeof record.dedupReport !== 'string') {
    throw new TrainError(
      `Cannot resume: ${path} has a \`dedupReport\` that is not a path (${JSON.stringify(record.dedupReport)})`,
    );
  }
  return record;
}

/**
 * Drops the lines of an NDJSON log (metrics.ndjson) whose `step` is past `step`: a run that crashed after its last
 * checkpoint trains those steps again on resume, and the log must not hold them twice. A line cut by a crash goes too.
 */
export async function truncateLogAfterStep(path: string, step: number): Promise<void> {
  const text = await readFile(path, 'utf8').catch(() => null);
  if (text === null) return;
  let keep = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') break;
    let entry: { step?: unknown };
    try {
      entry = JSON.parse(line) as { step?: unknown };
    } catch {
      break;
    }
    if (typeof entry.step !== 'number' || entry.step > step) break;
    keep += Buffer.byteLength(line, 'utf8') + 1;
  }
  if (keep < Buffer.byteLength(text, 'utf8')) await truncate(path, keep);
}

/** Records that `epoch` starts at `step`, before its first batch, so a resume can skip the batches already used. */
export async function recordEpochStart(directory: string, epoch: number, step: number): Promise<void> {
  await appendFile(join(directory, epochLogName), `${JSON.stringify({ epoch, step })}\n`);
}

/** The step at which `epoch` started, from the epoch log (`null` when it is not recorded). */
export async function epochStartStep(directory: string, epoch: number): Promise<number | null> {
  let start: number | null = null;
  for (const entry of await readLog<{ epoch: number; step: number }>(join(directory, epochLogName)))
    if (entry.epoch === epoch) start = entry.step;
  return start;
}

/**
 * Records where in its epoch's order the data stream stands after `step` (written just before each checkpoint),
 * so a resume starts the stream there instead of decoding the batches already used.
 */
export async function recordDataPosition(
  directory: string,
  step: number,
  epoch: number,
  position: number,
): Promise<void> {
  await appendFile(join(directory, positionLogName), `${JSON.stringify({ step, epoch, position })}\n`);
}

/** The data position recorded for `step` of `epoch`, or `null` (older run, or a crash between the two writes). */
export async function dataPositionAt(directory: string, step: number, epoch: number): Promise<number | null> {
  let found: number | null = null;
  for (const entry of await readLog<{ step: number; epoch: number; position: number }>(
    join(directory, positionLogName),
  )) {
    if (entry.step === step && entry.epoch === epoch) found = entry.position;
  }
  return found;
}

async function readLog<Entry>(path: string): Promise<Entry[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const entries: Entry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      entries.push(JSON.parse(line) as Entry);
    } catch {
      // a line cut by a crash: ignore
    }
  }
  return entries;
}
