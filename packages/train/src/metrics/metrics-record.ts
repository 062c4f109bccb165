import { readFile } from 'node:fs/promises';

import { TrainError } from '../errors/train-error';

/**
 * The fields of one `metrics.ndjson` line that curves and TensorBoard scalars use: a `Trainer.step()` result
 * (`TrainerStepResult` of @dcgan/core) satisfies it, and each line of the file is one such result plus `time`.
 */
export interface StepMetrics {
  /** Steps completed, this one included. */
  readonly step: number;
  /** D's loss on the batch. */
  readonly discriminatorLoss: number;
  /** G's non-saturating loss. */
  readonly generatorLoss: number;
  /** Mean D(x) on the real batch. */
  readonly realScore: number;
  /** Mean D(G(z)) before D's update. */
  readonly fakeScore: number;
  /** Mean D(G(z)) after D's update, during G's update. */
  readonly fakeScoreAfterUpdate?: number;
  /** Real images per second of the step. */
  readonly imagesPerSecond?: number;
}

/** What {@link readMetricsFile} found. */
export interface MetricsFile {
  /** Valid records, one per step (the last line of a step wins, as after a resume from an older checkpoint), by step. */
  readonly records: StepMetrics[];
  /** Lines that were not a metrics record (a line torn by a crash, say), with the reason, 1-based. */
  readonly skipped: { readonly line: number; readonly reason: string }[];
}

const requiredNumbers = ['step', 'discriminatorLoss', 'generatorLoss', 'realScore', 'fakeScore'] as const;

/** Why `value` is not a {@link StepMetrics}, or null when it is one. */
function problem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const record = value as Record<string, unknown>;
  for (const key of requiredNumbers) {
    if (typeof record[key] !== 'number')
      return `\`${key}\` is ${record[key] === undefined ? 'missing' : 'not a number'}`;
  }
  if (!Number.isSafeInteger(record.step) || (record.step as number) < 0)
    return `\`step\` is not a non-negative integer`;
  return null;
}

/** Keeps only the fields curves and scalars use (a metrics line also holds its time, epoch, batch size...). */
function pick(record: StepMetrics): StepMetrics {
  const { step, discriminatorLoss, generatorLoss, realScore, fakeScore, fakeScoreAfterUpdate, imagesPerSecond } =
    record;
  return {
    step,
    discriminatorLoss,
    generatorLoss,
    realScore,
    fakeScore,
    ...(typeof fakeScoreAfterUpdate === 'number' ? { fakeScoreAfterUpdate } : {}),
    ...(typeof imagesPerSecond === 'number' ? { imagesPerSecond } : {}),
  };
}

/**
 * Collects metrics records from NDJSON text given in pieces (a file read as it grows): one record per step,
 * the later line of a repeated step winning, unreadable lines skipped and reported with their line number.
 */
export class MetricsCollector {
  private readonly list: StepMetrics[] = [];
  private readonly indexByStep = new Map<number, number>();
  private sorted = true;
  private lineNumber = 0;
  private readonly skippedLines: { line: number; reason: string }[] = [];

  /** Adds complete lines (`text` holds whole lines; a last line without its newline counts as complete). */
  addLines(text: string): void {
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop(); // the newline that ends the text
    for (const line of lines) {
      this.lineNumber += 1;
      if (line.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        this.skippedLines.push({ line: this.lineNumber, reason: 'not valid JSON' });
        continue;
      }
      const reason = problem(value);
      if (reason !== null) this.skippedLines.push({ line: this.lineNumber, reason });
      else this.add(pick(value as StepMetrics));
    }
  }

  /** The records so far, by step. */
  records(): StepMetrics[] {
    if (!this.sorted) {
      this.list.sort((a, b) => a.step - b.step);
      this.list.forEach((record, index) => this.indexByStep.set(record.step, index));
      this.sorted = true;
    }
    return this.list;
  }

  /** The lines skipped so far. */
  skipped(): { line: number; reason: string }[] {
    return [...this.skippedLines];
  }

  private add(record: StepMetrics): void {
    const existing = this.indexByStep.get(record.step);
    if (existing !== undefined) {
      this.list[existing] = record;
      return;
    }
    const last = this.list.at(-1);
    if (last !== undefined && record.step < last.step) this.sorted = false;
    this.indexByStep.set(record.step, this.list.length);
    this.list.push(record);
  }
}

/**
 * Parses `metrics.ndjson` text. Unreadable lines are skipped and reported (a crash can tear the last line); the
 * result is sorted by step, and where a step appears twice (a run resumed from an older checkpoint repeats the
 * steps after it) the later line wins. Records keep the fields of {@link StepMetrics} only.
 *
 * @example
 * const { records, skipped } = parseMetrics(text);
 */
export function parseMetrics(text: string): MetricsFile {
  const collector = new MetricsCollector();
  collector.addLines(text);
  return { records: collector.records(), skipped: collector.skipped() };
}

/**
 * Reads and parses a `metrics.ndjson` file (see {@link parseMetrics}); a missing or unreadable file is a
 * {@link TrainError} naming it.
 *
 * @example
 * const { records } = await readMetricsFile('runs/mnist/metrics.ndjson');
 */
export async function readMetricsFile(path: string): Promise<MetricsFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new TrainError(`${path}: cannot read the metrics file: ${(error as Error).message}`, {
      cause: error,
      file: path,
    });
  }
  return parseMetrics(text);
}
