/**
 * What the paper apps (apps/lsun-bedrooms, apps/imagenet32, apps/faces) share: each holds only its settings, help
 * text and data wiring, and trains in-process with `@dcgan/train` through {@link trainPreset}.
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { ParseArgsConfig } from 'node:util';

import { backendPreferenceList } from '@dcgan/backend';
import { openDataset, type DatasetFormat } from '@dcgan/data';
import { readDedupReport } from '@dcgan/dedup';
import { readRunRecord, resumeTraining, train, type TrainOptions, type TrainSummary } from '@dcgan/train';

import { backendOption } from './backend-option';
import { dedupFolderName, runDedupStep, type PaperDedupSettings } from './dedup-step';
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

/**
 * The `--help` rows of the options every paper app takes, after the app's own rows (`--data`, `--out`,
 * `--epochs`), descriptions at column 23; with `dedup` (an app that deduplicates first), its dedup options too.
 */
export function paperOptionsHelp(settings: Pick<PaperSettings, 'batchSize'>, dedup?: PaperDedupSettings): string {
  const resume = dedup === undefined ? '' : '; the dedup step is not run again';
  const dedupRows =
    dedup === undefined
      ? ''
      : `
Dedup (before a new run trains; everything it makes is kept in <out>/${dedupFolderName} and a rerun continues or reuses it):
  --no-dedup           train on every image of the data
  --dedup-report <f>   train without the items this @dcgan/dedup report drops (e.g. from dcgan-dedup run)
  --accept-dedup-drop  train even when the report drops more than 5% of the images (otherwise refused)
  --dedup-epochs <n>   hasher training epochs (default ${dedup.epochs})
  --dedup-images-per-epoch <n>  images sampled per hasher epoch (default ${dedup.imagesPerEpoch})
  --dedup-batch-size <n>        hasher batch (default ${dedup.batchSize})
  --dedup-shift-probes <s>      also hash copies shifted by up to s pixels (default ${dedup.shiftProbes ?? 2}; 0 hashes 25
                                times faster but misses shifted copies)

`;
  return `  --steps <n>          train exactly n steps instead
  --batch-size <n>     default ${settings.batchSize} (the paper's)
  --backend <name>     ${backendPreferenceList} (default auto)
  --resume             continue the run in --out with its own settings (--steps or --epochs replace its
                       target)${resume}
${dedupRows}  -- <options>         run settings: --size --channels --base-width --kernel-size --seed --sample-every
                       --checkpoint-every --time-limit --strict --dedup-report (e.g. -- --strict); on --resume
                       only the cadence, --time-limit and --strict
${standardOptionsHelp(23)}`;
}

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;
/** What parseArgs gives for single-valued options: booleans for `type: 'boolean'`, strings otherwise. */
type OptionValues<Options> = {
  readonly [Name in keyof Options]?: Options[Name] extends { readonly type: 'boolean' } ? boolean : string;
};

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
export function parsePaperArguments<Own extends OptionsConfig>(
  argv: readonly string[],
  options: Own,
): PaperArguments<Own> {
  const split = argv.indexOf('--');
  const own = split === -1 ? [...argv] : argv.slice(0, split);
  const after = split === -1 ? [] : argv.slice(split + 1);
  const { values } = parseOptions(own, { ...paperOptions, ...options });
  const { values: overrides } = parseOptions(after, overrideOptions);
  return {
    values: values as OptionValues<typeof paperOptions & Own>,
    overrides: overrides as OptionValues<typeof overrideOptions>,
  };
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
      if (fixed.length > 0)
        throw new UsageError(
          `\`--${fixed[0]}\` cannot change on --resume: the run keeps the settings it was made with`,
        );
      const record = await readRunRecord(run.out);
      const batchSize = integerOption('--batch-size', values['batch-size'], record.batchSize, positive);
      if (batchSize !== record.batchSize)
        throw new UsageError(
          `\`--batch-size ${batchSize}\` cannot change on --resume: ${run.out} trains with batches of ${record.batchSize}`,
        );
      let resumeSteps = steps;
      if (resumeSteps === undefined && epochs !== undefined) {
        // Epochs of the run's data as recorded: without the duplicates its dedup report dropped (no new dedup step).
        const imageCount =
          record.dedupReport === undefined ? run.imageCount : keptItems(await readDedupReport(record.dedupReport));
        resumeSteps = atLeastOneBatch(
          stepsFor(imageCount, record.batchSize, epochs),
          { ...run, imageCount },
          record.batchSize,
        );
      }
      summary = await resumeTraining(
        { directory: run.out, backend, ...targets, ...(resumeSteps === undefined ? {} : { steps: resumeSteps }) },
        { signal: stop.signal, onEvent: output.onEvent },
      );
    } else {
      const batchSize = integerOption('--batch-size', values['batch-size'], settings.batchSize, positive);
      const dedup =
        run.dedup ??
        (overrides['dedup-report'] === undefined
          ? { kind: 'none' }
          : { kind: 'report', path: overrides['dedup-report'], acceptDrop: false });
      let dedupReport: string | undefined;
      let imageCount = run.imageCount;
      if (dedup.kind === 'run') {
        // Fail before hours of hashing, not after: training refuses a folder that holds a run.
        if (
          await access(join(run.out, 'run.json')).then(
            () => true,
            () => false,
          )
        ) {
          throw new UsageError(`${run.out} already holds a run; continue it with --resume, or choose another --out`);
        }
        const created = await runDedupStep(
          {
            data: run.data,
            format: settings.format,
            directory: join(run.out, dedupFolderName),
            settings: dedup.settings,
            backend,
          },
          stop.signal,
          output.say,
        );
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
        steps:
          steps ??
          atLeastOneBatch(
            stepsFor(imageCount, batchSize, epochs ?? settings.epochs),
            { ...run, imageCount },
            batchSize,
          ),
        sampleEvery: settings.sampleEvery,
        checkpointEvery: settings.checkpointEvery,
        ...targets,
        ...(dedupReport === undefined
          ? {}
          : { dedupReport, acceptDedupDrop: dedup.kind !== 'none' && dedup.acceptDrop }),
        backend,
      };
      const left =
        imageCount === run.imageCount
          ? ''
          : ` (${(run.imageCount - imageCount).toLocaleString('en')} near-duplicates left out)`;
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
function keptItems(report: {
  readonly source: { readonly itemsRead: number };
  readonly counts: { readonly dropped: number };
}): number {
  return report.source.itemsRead - report.counts.dropped;
}

function atLeastOneBatch(steps: number, run: PresetRun, batchSize: number): number {
  if (steps < 1)
    throw new UsageError(
      `${run.data} holds ${run.imageCount} ${run.itemName ?? 'images'}, fewer than one batch of ${batchSize}; pass a smaller --batch-size`,
    );
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
    const { values, overrides } = parsePaperArguments(
      argv,
      (app.dedup === undefined ? { data: withDedup.data } : withDedup) as typeof withDedup,
    );
    if (values.help === true) {
      process.stdout.write(app.help);
      return exitCodes.ok;
    }
    if (values.data === undefined) throw new UsageError(`Expected \`--data ${app.dataPlaceholder}\` (see --help)`);
    integerOption('--epochs', values.epochs, 1, positive); // checked before the re-execution, so the errors show once
    const dedup = app.dedup === undefined ? undefined : dedupChoice(app.dedup, values, overrides);
    const code = await reexecWithThreadPool();
    if (code !== null) return code;
    process.stderr.write(`reading ${values.data} ...\n`);
    const { source } = await openDataset(values.data, { format: app.settings.format });
    const imageCount = source.length ?? 0;
    await source.close();
    return trainPreset(app.settings, {
      data: values.data,
      out: values.out ?? app.defaultOut,
      imageCount,
      values,
      overrides,
      ...(dedup === undefined ? {} : { dedup }),
    });
  };
}

/** What the dedup options ask for; on `--resume` none may be given (the run keeps the data it was made with). */
function dedupChoice(
  defaults: PaperDedupSettings,
  values: OptionValues<typeof paperOptions & typeof dedupOptions>,
  overrides: OptionValues<typeof overrideOptions>,
): DedupChoice {
  const given = (Object.keys(dedupOptions) as (keyof typeof dedupOptions)[]).filter(
    (name) => values[name] !== undefined,
  );
  if (values.resume === true) {
    if (given.length > 0)
      throw new UsageError(
        `\`--${given[0]}\` cannot be given with --resume: the run keeps the data it was made with (its dedup report is in run.json)`,
      );
    return { kind: 'none' };
  }
  const report = values['dedup-report'] ?? overrides['dedup-report'];
  if (values['dedup-report'] !== undefined && overrides['dedup-report'] !== undefined)
    throw new UsageError('Expected one `--dedup-report`, got it before and after `--`');
  const tuning = given.filter((name) => name.startsWith('dedup-') && name !== 'dedup-report');
  if (
    values['no-dedup'] === true &&
    (report !== undefined || values['accept-dedup-drop'] === true || tuning.length > 0)
  ) {
    throw new UsageError(
      `\`--no-dedup\` trains on every image; it cannot be given with \`--${report !== undefined ? 'dedup-report' : values['accept-dedup-drop'] === true ? 'accept-dedup-drop' : tuning[0]}\``,
    );
  }
  if (values['no-dedup'] === true) return { kind: 'none' };
  const acceptDrop = values['accept-dedup-drop'] === true;
  if (report !== undefined) {
    if (tuning.length > 0)
      throw new UsageError(`\`--${tuning[0]}\` sets the dedup step, which \`--dedup-report\` skips`);
    return { kind: 'report', path: report, acceptDrop };
  }
  const settings: PaperDedupSettings = {
    ...defaults,
    epochs: integerOption('--dedup-epochs', values['dedup-epochs'], defaults.epochs, positive),
    imagesPerEpoch: integerOption(
      '--dedup-images-per-epoch',
      values['dedup-images-per-epoch'],
      defaults.imagesPerEpoch,
      positive,
    ),
    batchSize: integerOption('--dedup-batch-size', values['dedup-batch-size'], defaults.batchSize, positive),
    ...(values['dedup-shift-probes'] === undefined
      ? {}
      : { shiftProbes: integerOption('--dedup-shift-probes', values['dedup-shift-probes'], 0, { minimum: 0 }) }),
  };
  return { kind: 'run', settings, acceptDrop };
}
