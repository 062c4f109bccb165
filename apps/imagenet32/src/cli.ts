import { datasetPaperMain, paperOptionsHelp, runMain } from '@dcgan/cli';

import { imagenet32Settings } from './paper-settings.js';

const help = `dcgan-train-imagenet32: the paper's ImageNet-1k training on 32x32 centre crops (batch 128, Adam 2e-4 / 0.5).

Usage:
  dcgan-train-imagenet32 --data <imagenet/train> [--out runs/imagenet32] [--epochs 5]
  dcgan-train-imagenet32 --data <imagenet/train> --out <run> --resume

Options:
  --data <dir>         ImageNet-1k training images: a folder (searched recursively, e.g. train/n01440764/*.JPEG)
  --out <dir>          run folder: samples/*.png, checkpoint/, metrics.ndjson (default runs/imagenet32)
  --epochs <n>         passes over the data (default 5; the paper does not say)
${paperOptionsHelp(imagenet32Settings)}`;

const programName = 'dcgan-train-imagenet32';

void runMain(
  programName,
  datasetPaperMain({
    programName,
    settings: imagenet32Settings,
    help,
    dataPlaceholder: '<imagenet/train>',
    defaultOut: 'runs/imagenet32',
  }),
);
