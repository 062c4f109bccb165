/**
 * What the paper apps (apps/lsun-bedrooms, apps/imagenet32, apps/faces) share: each holds only its settings, help
 * text and data wiring, and trains in-process with `@dcgan/train` through {@link trainPreset}.
 */
import type { ParseArgsConfig } from 'node:util';

import { backendPreferenceList } from '@dcgan/backend';
import { openDataset, type DatasetFormat } from '@dcgan/data';
import { readRunRecord, resumeTraining, train, type TrainOptions, type TrainSummary } from '@dcgan/train';

import { backendOption } from './backend-option';
import { standardOptionsHelp } from './help';
import { integerOption, numberOption, parseOptions } from './options';
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

/**
 * The `--help` rows of the options every paper app takes, after the app's own rows (`--data`, `--out`,
 * `--epochs`), descriptions at column 23.
 */
export function paperOptionsHelp(settings: Pick<PaperSettings, 'batchSize'>): string {
  return `  --steps <n>          train exactly n steps instead
  --batch-size <n>     default ${settings.batchSize} (the paper's)
  --backend <name>     ${backendPreferenceList} (default auto)
  --resume             continue the run in --out with its own settings (--steps or --epochs replace its target)
  -- <options>         run settings: --size --channels --base-width --kernel-size --seed --sample-every
                       --checkpoint-every --time-limit --strict --dedup-report (e.g. -- --strict); on --resume
                       only the cadence, --time-limit and --strict
${standardOptionsHelp(23)}`;
}

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
  const { values } = parseOptions(own, { ...paperOptions, ...options });
  const { values: overrides } = parseOptions(after, overrideOptions);
  return { values: values as OptionValues<typeof paperOptions & Own>, overrides: overrides as OptionValues<typeof overrideOptions> };
}

const positive = { minimum: 1 };

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
}

/**
 * Trains (or with `--resume` continues) a paper experiment in this process, drawing progress, stopping with a
 * checkpoint on SIGINT/SIGTERM (exit 130/143). A fresh run gets every setting; a resumed one keeps its own batch
 * size, cadence and step target unless `--steps`/`--epochs` (counted in the run's batch size) say otherwise.
 * Resolves with the exit code.
 */
export async function trainPreset(settings: PaperSettings, run: PresetRun): Promise<number> {
  const { values, overrides } = run;
  const backend = backendOption(values.backend);
  const steps = integerOption('--steps', values.steps, undefined, positive);
  const epochs = integerOption('--epochs', values.epochs, undefined, positive);
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
      const batchSize = integerOption('--batch-size', values['batch-size'], record.batchSize, positive);
      if (batchSize !== record.batchSize) throw new UsageError(`\`--batch-size ${batchSize}\` cannot change on --resume: ${run.out} trains with batches of ${record.batchSize}`);
      const resumeSteps = steps ?? (epochs === undefined ? undefined : atLeastOneBatch(stepsFor(run.imageCount, record.batchSize, epochs), run, record.batchSize));
      summary = await resumeTraining({ directory: run.out, backend, ...targets, ...(resumeSteps === undefined ? {} : { steps: resumeSteps }) }, { signal: stop.signal, onEvent: output.onEvent });
    } else {
      const batchSize = integerOption('--batch-size', values['batch-size'], settings.batchSize, positive);
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
        steps: steps ?? atLeastOneBatch(stepsFor(run.imageCount, batchSize, epochs ?? settings.epochs), run, batchSize),
        sampleEvery: settings.sampleEvery,
        checkpointEvery: settings.checkpointEvery,
        ...targets,
        ...(overrides['dedup-report'] === undefined ? {} : { dedupReport: overrides['dedup-report'] }),
        backend,
      };
      output.say(
        `${run.imageCount.toLocaleString('en')} ${run.itemName ?? 'images'}; training ${options.size}px x${options.channels}, base width ${options.baseWidth}, ` +
          `${options.kernelSize}x${options.kernelSize} kernels, batch ${batchSize}, ${options.steps} steps`,
      );
      summary = await train(options, { signal: stop.signal, onEvent: output.onEvent });
    }
  } finally {
    stop.dispose();
  }
  process.stdout.write(formatTrainingSummary(summary));
  return summary.stopReason === 'aborted' ? (stop.exitCode() ?? exitCodes.SIGINT) : exitCodes.ok;
}

function atLeastOneBatch(steps: number, run: PresetRun, batchSize: number): number {
  if (steps < 1) throw new UsageError(`${run.data} holds ${run.imageCount} ${run.itemName ?? 'images'}, fewer than one batch of ${batchSize}; pass a smaller --batch-size`);
  return steps;
}

/** `{ [name]: number }` for an override given after `--`, `{}` when absent (the library checks the value). */
function optionalNumber<Name extends string>(name: Name, raw: string | undefined): Partial<Record<Name, number>> {
  const value = numberOption(`--${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`, raw, undefined);
  return (value === undefined ? {} : { [name]: value }) as Partial<Record<Name, number>>;
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
}

/**
 * The `main` of a paper app over one dataset path: parses its options, re-executes itself once for the decode
 * thread pool, counts the images (`openDataset` of `@dcgan/data`) and trains.
 *
 * @example void runMain('dcgan-train-imagenet32', datasetPaperMain({ programName: 'dcgan-train-imagenet32', ... }));
 */
export function datasetPaperMain(app: DatasetPaperApp): (argv: readonly string[]) => Promise<number> {
  return async (argv) => {
    const { values, overrides } = parsePaperArguments(argv, { data: { type: 'string' } });
    if (values.help === true) {
      process.stdout.write(app.help);
      return exitCodes.ok;
    }
    if (values.data === undefined) throw new UsageError(`Expected \`--data ${app.dataPlaceholder}\` (see --help)`);
    integerOption('--epochs', values.epochs, 1, positive); // checked before the re-execution, so the error shows once
    const code = await reexecWithThreadPool();
    if (code !== null) return code;
    process.stderr.write(`reading ${values.data} ...\n`);
    const { source } = await openDataset(values.data, { format: app.settings.format });
    const imageCount = source.length ?? 0;
    await source.close();
    return trainPreset(app.settings, { data: values.data, out: values.out ?? app.defaultOut, imageCount, values, overrides });
  };
}
