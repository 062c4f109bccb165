import { appendFile, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { UsageError } from './arguments.js';

/** What `run.json` records about a run, so `--resume` rebuilds the same data pipeline. */
export interface RunRecord {
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
}

export const runFileName = 'run.json';
const epochLogName = 'epochs.ndjson';
const positionLogName = 'data-positions.ndjson';

/**
 * Makes a new run folder, refusing one that holds anything (another run's files are never overwritten).
 */
export async function createRunDirectory(directory: string, record: RunRecord): Promise<void> {
  await assertRunDirectoryFree(directory);
  await mkdir(join(directory, 'samples'), { recursive: true });
  const temporary = join(directory, `.${runFileName}.tmp`);
  await writeFile(temporary, `${JSON.stringify(record, null, 2)}\n`);
  await rename(temporary, join(directory, runFileName));
}

/** Throws a UsageError unless `directory` is missing or empty. */
export async function assertRunDirectoryFree(directory: string): Promise<void> {
  const entries = await readdir(directory).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw new UsageError(`Cannot use output directory ${directory}: ${error.message}`);
  });
  if (entries.includes(runFileName)) {
    throw new UsageError(`Output directory ${directory} already holds a run (${runFileName}); pass --resume to continue it, or choose another --out`);
  }
  if (entries.length > 0) {
    throw new UsageError(`Output directory ${directory} is not empty (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', ...' : ''}); choose a new or empty folder`);
  }
}

/** Reads and checks `run.json` of a run to resume. */
export async function readRunRecord(directory: string): Promise<RunRecord> {
  const path = join(directory, runFileName);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new UsageError(`Cannot resume: ${path} not found (is ${directory} a dcgan-train run folder?)`);
  }
  let record: RunRecord;
  try {
    record = JSON.parse(text) as RunRecord;
  } catch (error) {
    throw new UsageError(`Cannot resume: ${path} is not valid JSON (${(error as Error).message})`);
  }
  if (record.version !== 1 || typeof record.size !== 'number' || typeof record.batchSize !== 'number') {
    throw new UsageError(`Cannot resume: ${path} is not a dcgan-train run record (version ${String(record.version)})`);
  }
  if (record.dedupReport !== undefined && typeof record.dedupReport !== 'string') {
    throw new UsageError(`Cannot resume: ${path} has a \`dedupReport\` that is not a path (${JSON.stringify(record.dedupReport)})`);
  }
  return record;
}

/** Records that `epoch` starts at `step`, before its first batch, so a resume can skip the batches already used. */
export async function recordEpochStart(directory: string, epoch: number, step: number): Promise<void> {
  await appendFile(join(directory, epochLogName), `${JSON.stringify({ epoch, step })}\n`);
}

/** The step at which `epoch` started, from the epoch log (`null` when it is not recorded). */
export async function epochStartStep(directory: string, epoch: number): Promise<number | null> {
  const text = await readFile(join(directory, epochLogName), 'utf8').catch(() => '');
  let start: number | null = null;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const entry = JSON.parse(line) as { epoch: number; step: number };
      if (entry.epoch === epoch) start = entry.step;
    } catch {
      // a line cut by a crash: ignore
    }
  }
  return start;
}

/**
 * Records where in its epoch's order the data stream stands after `step` (written just before each checkpoint),
 * so a resume starts the stream there instead of decoding the batches already used.
 */
export async function recordDataPosition(directory: string, step: number, epoch: number, position: number): Promise<void> {
  await appendFile(join(directory, positionLogName), `${JSON.stringify({ step, epoch, position })}\n`);
}

/** The data position recorded for `step` of `epoch`, or `null` (older run, or a crash between the two writes). */
export async function dataPositionAt(directory: string, step: number, epoch: number): Promise<number | null> {
  const text = await readFile(join(directory, positionLogName), 'utf8').catch(() => '');
  let found: number | null = null;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const entry = JSON.parse(line) as { step: number; epoch: number; position: number };
      if (entry.step === step && entry.epoch === epoch) found = entry.position;
    } catch {
      // a line cut by a crash: ignore
    }
  }
  return found;
}
