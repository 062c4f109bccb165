import { parseArgs } from 'node:util';

import { openImageFolder } from '@dcgan/data';
import { buildTrainArguments, positiveInteger, runPaperApp, runTrainCli, splitPassThrough, UsageError } from '@dcgan/train-app/paper-run';

import { imagenet32Settings } from './paper-settings.js';

const help = `dcgan-train-imagenet32: the paper's ImageNet-1k training on 32x32 centre crops (batch 128, Adam 2e-4 / 0.5).

Usage:
  dcgan-train-imagenet32 --data <imagenet/train> [--out runs/imagenet32] [--epochs 5]
  dcgan-train-imagenet32 --data <imagenet/train> --out <run> --resume

Options:
  --data <dir>         ImageNet-1k training images: a folder (searched recursively, e.g. train/n01440764/*.JPEG)
  --out <dir>          run folder: samples/*.png, checkpoint/, metrics.ndjson (default runs/imagenet32)
  --epochs <n>         passes over the data (default 5; the paper does not say)
  --steps <n>          train exactly n steps instead
  --batch-size <n>     default 128 (the paper's)
  --backend <name>     auto | tensorflow-gpu | tensorflow | wasm | cpu (default auto)
  --resume             continue the run in --out
  -- <options>         passed to dcgan-train last (they override the settings above)
`;

async function main(argv: readonly string[]): Promise<number> {
  const { own, passThrough } = splitPassThrough(argv);
  const { values } = parseArgs({
    args: own,
    strict: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      data: { type: 'string' },
      out: { type: 'string' },
      epochs: { type: 'string' },
      steps: { type: 'string' },
      'batch-size': { type: 'string' },
      backend: { type: 'string' },
      resume: { type: 'boolean' },
    },
  });
  if (values.help === true) {
    process.stdout.write(help);
    return 0;
  }
  if (values.data === undefined) throw new UsageError('Expected `--data <imagenet/train>` (see --help)');
  const epochs = positiveInteger('--epochs', values.epochs, imagenet32Settings.epochs);
  const batchSize = positiveInteger('--batch-size', values['batch-size'], imagenet32Settings.batchSize);
  const steps = values.steps === undefined ? undefined : positiveInteger('--steps', values.steps, 1);
  process.stderr.write(`listing ${values.data} ...\n`);
  const source = await openImageFolder(values.data);
  const imageCount = source.length ?? 0;
  await source.close();
  const trainArguments = buildTrainArguments(imagenet32Settings, {
    data: values.data,
    out: values.out ?? 'runs/imagenet32',
    imageCount,
    epochs,
    batchSize,
    steps,
    backend: values.backend ?? 'auto',
    resume: values.resume === true,
    extra: passThrough,
  });
  process.stderr.write(`${imageCount.toLocaleString('en')} images; running: dcgan-train ${trainArguments.join(' ')}\n`);
  return runTrainCli(trainArguments);
}

void runPaperApp('dcgan-train-imagenet32', main);
