/**
 * What the paper apps (apps/lsun-bedrooms, apps/imagenet32, apps/faces) share: each holds only its settings, help
 * text and data wiring, and trains in-process with `@dcgan/train` through {@link trainPreset}.
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';

import { isBackendPreference } from '@dcgan/backend';
import { openDataset, type DatasetFormat } from '@dcgan/data';
import { readDedupReport } from '@dcgan/dedup';
import { readRunRecord, resumeTraining, train, type TrainOptions, type TrainSummary } from '@dcgan/train';

import { dedupFolderName, runDedupStep, type PaperDedupSettings } from './dedup-step';
import { exitCodes } from './run-main';
import { stopOnSignals } from './stop-on-signals';
import { reexecWithThreadPool } from './thread-pool-size';
import { createTrainingOutput, formatTrainingSummary } from './training-output';
import { UsageError } from './usage-error';

/** A paper experiment's fixed settings (what a fresh run is made with). */
export interface PaperSettings {
  /** The dataset reader for `--data`. */
  readonly format: DatasetFormat;
  /** Image side in pixels, a power of two >= 16. */
  readonly size: number;
  readonly channels: 1 | 3;
  /** Channels of D's first / G's last hidden layer. */
  readonly baseWidth: number;
  /** Convolution kernel side: 4 (pytorch/examples) or 5 (the authors' code). */
  readonly kernelSize: 4 | 5;
  /** The default mini-batch size (the app's `--batch-size` overrides it). */
  readonly batchSize: number;
  /** The default number of passes over the data (the app's `--epochs` overrides it). */
  readonly epochs: number;
  readonly seed: number;
  /** Write a fixed-noise sample grid every this many steps. */
  readonly sampleEvery: number;
  /** Save a checkpoint every this many steps. */
  readonly checkpointEvery: number;
}

/**
 * Steps for `epochs` passes over `imageCount` images in full batches (a last partial batch is dropped).
 *
 * @example stepsFor(3_033_042, 128, 5) // 118_475
 */
export function stepsFor(imageCount: number, batchSize: number, epochs: number): number {
  return epochs * Math.floor(imageCount / batchSize);
}

/** The options every paper app takes (its own come on top). */
const paperOptions = {
  help: { type: 'boolean', short: 'h' },
  out: { type: 'string' },
  epochs: { type: 'string' },
  steps: { type: 'string' },
  'batch-size': { type: 'string' },
  backend: { type: 'string' },
  resume: { type: 'boolean' },
} as const;

/** What may follow `--`: the run's settings that a paper app does not fix (and, on a fresh run, its model). */
const overrideOptions = {
  size: { type: 'string' },
  channels: { type: 'string' },
  'base-width': { type: 'string' },
  'kernel-size': { type: 'string' },
  seed: { type: 'string' },
  'sample-every': { type: 'string' },
  'checkpoint-every': { type: 'string' },
  'time-limit': { type: 'string' },
  strict: { type: 'boolean' },
  'dedup-report': { type: 'string' },
} as const;
const resumableOverrides = new Set(['sample-every', 'checkpoint-every', 'time-limit', 'strict']);

/** The options of a paper app that deduplicates its data first ({@link DatasetPaperApp.dedup}). */
const dedupOptions = {
  'no-dedup': { type: 'boolean' },
  'dedup-report': { type: 'string' },
  'accept-dedup-drop': { type: 'boolean' },
  'dedup-epochs': { type: 'string' },
  'dedup-images-per-epoch': { type: 'string' },
  'dedup-batch-size': { type: 'string' },
  'dedup-shift-probes': { type: 'string' },
} as const;

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;
/** What parseArgs gives for single-valued options: booleans for `type: 'boolean'`, strings otherwise. */
type OptionValues<Options> = { readonly [Name in keyof Options]?: Options[Name] extends { readonly type: 'boolean' } ? boolean : string };

/** A paper app's command line, parsed. */
export interface PaperArguments<Own extends OptionsConfig> {
  readonly values: OptionValues<typeof paperOptions & Own>;
  /** The options after `--`. */
  readonly overrides: OptionValues<typeof overrideOptions>;
}

/**
 * Parses a paper app's argv: its own `options` plus `--help --out --epochs --steps --batch-size --backend
 * --resume`, and after `--` the settings it lets a user change (`--size --channels --base-width --kernel-size
 * --seed --sample-every --checkpoint-every --time-limit --strict --dedup-report`). Unknown options are an error.
 *
 * @example const { values, overrides } = parsePaperArguments(argv, { photos: { type: 'string' } });
 */
export function parsePaperArguments<Own extends OptionsConfig>(argv: readonly string[], options: Own): PaperArguments<Own> {
  const split = argv.indexOf('--');
  const own = split === -1 ? [...argv] : argv.slice(0, split);
  const after = split === -1 ? [] : argv.slice(split + 1);
  const { values } = parseArgs({ args: own, strict: true, allowPositionals: false, options: { ...paperOptions, ...options } });
  const { values: overrides } = parseArgs({ args: after, strict: true, allowPositionals: false, options: overrideOptions });
  return { values: values as OptionValues<typeof paperOptions & Own>, overrides: overrides as OptionValues<typeof overrideOptions> };
}

/**
 * Reads a positive integer option; `fallback` when it was not given.
 *
 * @example positiveInteger('--epochs', values.epochs, 5) // 5 when --epochs is absent; UsageError for `--epochs 0`
 */
export function positiveInteger(flag: string, raw: string | undefined, fallback: number): number;
export function positiveInteger(flag: string, raw: string | undefined, fallback: number | undefined): number | undefined;
export function positiveInteger(flag: string, raw: string | undefined, fallback: number | undefined): number | undefined {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`Expected \`${flag}\` to be a positive integer, got \`${raw}\``);
  return value;
}

/** One run of a paper experiment: what the user chose and what the app found in the data. */
export interface PresetRun {
  readonly data: string;
  readonly out: string;
  /** How many items `data` holds; with the epochs and the batch size it gives the steps. */
  readonly imageCount: number;
  /** What `data` holds, for the error when it is smaller than one batch. @default 'images' */
  readonly itemName?: string;
  readonly values: OptionValues<typeof paperOptions>;
  readonly overrides: OptionValues<typeof overrideOptions>;
  /**
   * What a fresh run does about duplicates: `run` the dedup step into `<out>/dedup` first (reusing its report when it
   * fits), train on a given `report`, or `none`. @default `none`, or `report` with `-- --dedup-report`
   */
  readonly dedup?: DedupChoice;
}

/** See {@link PresetRun.dedup}; `acceptDrop` trains on a report that drops more than 5% of the data. */
export type DedupChoice =
  | { readonly kind: 'run'; readonly settings: PaperDedupSettings; readonly acceptDrop: boolean }
  | { readonly kind: 'report'; readonly path: string; readonly acceptDrop: boolean }
  | { readonly kind: 'none' };

/**
 * Trains (or with `--resume` continues) a paper experiment in this process, drawing progress, stopping with a
 * checkpoint on SIGINT/SIGTERM (exit 130/143). A fresh run gets every setting; a resumed one keeps its own batch
 * size, cadence and step target unless `--steps`/`--epochs` (counted in the run's batch size) say otherwise.
 * Resolves with the exit code.
 */
export async function trainPreset(settings: PaperSettings, run: PresetRun): Promise<number> {
  const { values, overrides } = run;
  const backend = values.backend ?? 'auto';
  if (!isBackendPreference(backend)) throw new UsageError(`Expected \`--backend\` to be auto, tensorflow-gpu, tensorflow, wasm or cpu, got \`${backend}\``);
  const steps = positiveInteger('--steps', values.steps, undefined);
  const epochs = positiveInteger('--epochs', values.epochs, undefined);
  const targets = {
    ...optionalNumber('sampleEvery', overrides['sample-every']),
    ...optionalNumber('checkpointEvery', overrides['checkpoint-every']),
    ...optionalNumber('timeLimitMinutes', overrides['time-limit']),
    ...(overrides.strict === true ? { strict: true } : {}),
  };
  const output = createTrainingOutput();
  const stop = stopOnSignals(output.say);
  let summary: TrainSummary;
  try {
    if (values.resume === true) {
      const fixed = Object.keys(overrides).filter((name) => !resumableOverrides.has(name));
      if (fixed.length > 0) throw new UsageError(`\`--${fixed[0]}\` cannot change on --resume: the run keeps the settings it was made with`);
      const record = await readRunRecord(run.out);
      const batchSize = positiveInteger('--batch-size', values['batch-size'], record.batchSize);
      if (batchSize !== record.batchSize) throw new UsageError(`\`--batch-size ${batchSize}\` cannot change on --resume: ${run.out} trains with batches of ${record.batchSize}`);
      let resumeSteps = steps;
      if (resumeSteps === undefined && epochs !== undefined) {
        // Epochs of the run's data as recorded: without the duplicates its dedup report dropped (no new dedup step).
        const imageCount = record.dedupReport === undefined ? run.imageCount : keptItems(await readDedupReport(record.dedupReport));
        resumeSteps = atLeastOneBatch(stepsFor(imageCount, record.batchSize, epochs), { ...run, imageCount }, record.batchSize);
      }
      summary = await resumeTraining({ directory: run.out, backend, ...targets, ...(resumeSteps === undefined ? {} : { steps: resumeSteps }) }, { signal: stop.signal, onEvent: output.onEvent });
    } else {
      const batchSize = positiveInteger('--batch-size', values['batch-size'], settings.batchSize);
      const dedup = run.dedup ?? (overrides['dedup-report'] === undefined ? { kind: 'none' } : { kind: 'report', path: overrides['dedup-report'], acceptDrop: false });
      let dedupReport: string | undefined;
      let imageCount = run.imageCount;
      if (dedup.kind === 'run') {
        // Fail before hours of hashing, not after: training refuses a folder that holds a run.
        if (await access(join(run.out, 'run.json')).then(() => true, () => false)) {
          throw new UsageError(`${run.out} already holds a run; continue it with --resume, or choose another --out`);
        }
        const created = await runDedupStep({ data: run.data, format: settings.format, directory: join(run.out, dedupFolderName), settings: dedup.settings, backend }, stop.signal, output.say);
        dedupReport = created.path;
        imageCount = keptItems(created.report);
      } else if (dedup.kind === 'report') {
        dedupReport = dedup.path;
        imageCount = keptItems(await readDedupReport(dedup.path));
      }
      const options: TrainOptions = {
        directory: run.out,
        data: run.data,
        format: settings.format,
        name: 'paper',
        size: optionalNumber('size', overrides.size).size ?? settings.size,
        channels: (optionalNumber('channels', overrides.channels).channels ?? settings.channels) as 1 | 3,
        baseWidth: optionalNumber('baseWidth', overrides['base-width']).baseWidth ?? settings.baseWidth,
        kernelSize: (optionalNumber('kernelSize', overrides['kernel-size']).kernelSize ?? settings.kernelSize) as 4 | 5,
        seed: optionalNumber('seed', overrides.seed).seed ?? settings.seed,
        batchSize,
        steps: steps ?? atLeastOneBatch(stepsFor(imageCount, batchSize, epochs ?? settings.epochs), { ...run, imageCount }, batchSize),
        sampleEvery: settings.sampleEvery,
        checkpointEvery: settings.checkpointEvery,
        ...targets,
        ...(dedupReport === undefined ? {} : { dedupReport, acceptDedupDrop: dedup.kind !== 'none' && dedup.acceptDrop }),
        backend,
      };
      const left = imageCount === run.imageCount ? '' : ` (${(run.imageCount - imageCount).toLocaleString('en')} near-duplicates left out)`;
      output.say(
        `${imageCount.toLocaleString('en')} ${run.itemName ?? 'images'}${left}; training ${options.size}px x${options.channels}, base width ${options.baseWidth}, ` +
          `${options.kernelSize}x${options.kernelSize} kernels, batch ${batchSize}, ${options.steps} steps`,
      );
      summary = await train(options, { signal: stop.signal, onEvent: output.onEvent });
    }
  } catch (error) {
    // Stopped by a signal before training began (in the dedup step): its finished work is on disk.
    const code = stop.exitCode();
    if (code !== null && (error as Error | null)?.name === 'AbortError') {
      output.say(`stopped: ${(error as Error).message}`);
      return code;
    }
    throw error;
  } finally {
    stop.dispose();
  }
  process.stdout.write(formatTrainingSummary(summary));
  return summary.stopReason === 'aborted' ? (stop.exitCode() ?? exitCodes.SIGINT) : exitCodes.ok;
}

/** Items a report leaves to train on (undecodable ones included: the pipeline skips them as usual). */
function keptItems(report: { readonly source: { readonly itemsRead: number }; readonly counts: { readonly dropped: number } }): number {
  return report.source.itemsRead - report.counts.dropped;
}

function atLeastOneBatch(steps: number, run: PresetRun, batchSize: number): number {
  if (steps < 1) throw new UsageError(`${run.data} holds ${run.imageCount} ${run.itemName ?? 'images'}, fewer than one batch of ${batchSize}; pass a smaller --batch-size`);
  return steps;
}

/** `{ [name]: number }` for an override given after `--`, `{}` when absent (the library checks the value). */
function optionalNumber<Name extends string>(name: Name, raw: string | undefined): Partial<Record<Name, number>> {
  if (raw === undefined) return {};
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value)) throw new UsageError(`Expected \`--${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}\` to be a number, got \`${raw}\``);
  return { [name]: value } as Partial<Record<Name, number>>;
}

/** What a paper app over one dataset path (apps/lsun-bedrooms, apps/imagenet32) is made of. */
export interface DatasetPaperApp {
  /** The program name, e.g. `dcgan-train-lsun-bedrooms`. */
  readonly programName: string;
  readonly settings: PaperSettings;
  /** The `--help` text. */
  readonly help: string;
  /** How `--data` is named in messages, e.g. `<bedroom_train_lmdb>`. */
  readonly dataPlaceholder: string;
  /** Default run folder. */
  readonly defaultOut: string;
  /**
   * Deduplicate the data before a fresh run trains, as the paper did for LSUN (4.1.1), unless `--no-dedup`; adds
   * `--no-dedup --dedup-report --accept-dedup-drop --dedup-epochs --dedup-images-per-epoch --dedup-batch-size
   * --dedup-shift-probes`. @default no dedup step
   */
  readonly dedup?: PaperDedupSettings;
}

/**
 * The `main` of a paper app over one dataset path: parses its options, re-executes itself once for the decode
 * thread pool, counts the images (`openDataset` of `@dcgan/data`) and trains.
 *
 * @example void runMain('dcgan-train-imagenet32', datasetPaperMain({ programName: 'dcgan-train-imagenet32', ... }));
 */
export function datasetPaperMain(app: DatasetPaperApp): (argv: readonly string[]) => Promise<number> {
  return async (argv) => {
    const withDedup = { data: { type: 'string' }, ...dedupOptions } as const;
    const { values, overrides } = parsePaperArguments(argv, (app.dedup === undefined ? { data: withDedup.data } : withDedup) as typeof withDedup);
    if (values.help === true) {
      process.stdout.write(app.help);
      return exitCodes.ok;
    }
    if (values.data === undefined) throw new UsageError(`Expected \`--data ${app.dataPlaceholder}\` (see --help)`);
    positiveInteger('--epochs', values.epochs, 1); // checked before the re-execution, so the errors show once
    const dedup = app.dedup === undefined ? undefined : dedupChoice(app.dedup, values, overrides);
    const code = await reexecWithThreadPool();
    if (code !== null) return code;
    process.stderr.write(`reading ${values.data} ...\n`);
    const { source } = await openDataset(values.data, { format: app.settings.format });
    const imageCount = source.length ?? 0;
    await source.close();
    return trainPreset(app.settings, { data: values.data, out: values.out ?? app.defaultOut, imageCount, values, overrides, ...(dedup === undefined ? {} : { dedup }) });
  };
}

/** What the dedup options ask for; on `--resume` none may be given (the run keeps the data it was made with). */
function dedupChoice(defaults: PaperDedupSettings, values: OptionValues<typeof paperOptions & typeof dedupOptions>, overrides: OptionValues<typeof overrideOptions>): DedupChoice {
  const given = (Object.keys(dedupOptions) as (keyof typeof dedupOptions)[]).filter((name) => values[name] !== undefined);
  if (values.resume === true) {
    if (given.length > 0) throw new UsageError(`\`--${given[0]}\` cannot be given with --resume: the run keeps the data it was made with (its dedup report is in run.json)`);
    return { kind: 'none' };
  }
  const report = values['dedup-report'] ?? overrides['dedup-report'];
  if (values['dedup-report'] !== undefined && overrides['dedup-report'] !== undefined) throw new UsageError('Expected one `--dedup-report`, got it before and after `--`');
  const tuning = given.filter((name) => name.startsWith('dedup-') && name !== 'dedup-report');
  if (values['no-dedup'] === true && (report !== undefined || values['accept-dedup-drop'] === true || tuning.length > 0)) {
    throw new UsageError(`\`--no-dedup\` trains on every image; it cannot be given with \`--${report !== undefined ? 'dedup-report' : values['accept-dedup-drop'] === true ? 'accept-dedup-drop' : tuning[0]}\``);
  }
  if (values['no-dedup'] === true) return { kind: 'none' };
  const acceptDrop = values['accept-dedup-drop'] === true;
  if (report !== undefined) {
    if (tuning.length > 0) throw new UsageError(`\`--${tuning[0]}\` sets the dedup step, which \`--dedup-report\` skips`);
    return { kind: 'report', path: report, acceptDrop };
  }
  const settings: PaperDedupSettings = {
    ...defaults,
    epochs: positiveInteger('--dedup-epochs', values['dedup-epochs'], defaults.epochs),
    imagesPerEpoch: positiveInteger('--dedup-images-per-epoch', values['dedup-images-per-epoch'], defaults.imagesPerEpoch),
    batchSize: positiveInteger('--dedup-batch-size', values['dedup-batch-size'], defaults.batchSize),
    ...(values['dedup-shift-probes'] === undefined ? {} : { shiftProbes: nonNegativeInteger('--dedup-shift-probes', values['dedup-shift-probes']) }),
  };
  return { kind: 'run', settings, acceptDrop };
}

function nonNegativeInteger(flag: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new UsageError(`Expected \`${flag}\` to be an integer >= 0, got \`${raw}\``);
  return value;
}
