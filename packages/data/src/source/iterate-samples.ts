import { availableParallelism } from 'node:os';

import { createSeededRandom, mixSeed } from '@dcgan/common';

import { orderedMap } from '../batch/ordered-map';
import { DataError } from '../errors/data-error';
import { applyTransform } from '../transform/apply-transform';
import type { ImageTransform } from '../transform/transform-step';
import { SkipLog, type DataEventListener, type EpochReport } from './events';
import type { ImageSource } from './image-source';
import type { Sample } from './sample';

/** Options of {@link iterateSamples}. */
export interface IterateSamplesOptions {
  /** @default [] */
  readonly transform?: ImageTransform;
  /** Skip undecodable items (listed in `report`) unless strict. @default false */
  readonly strict?: boolean;
  /** Images decoded ahead of the consumer. @default 4 * availableParallelism() */
  readonly prefetch?: number;
  /** Seed of random transform steps (flips). @default 0 */
  readonly seed?: number;
  readonly onEvent?: DataEventListener;
}

/** Decoded samples in storage order, and the report of skipped items once the loop is done. */
export interface SampleStream extends AsyncIterable<Sample> {
  readonly report: EpochReport | undefined;
}

/**
 * Decodes a source's items in storage order, in parallel, skipping (and reporting) undecodable ones.
 *
 * @example
 * const stream = iterateSamples(await openImageFolder('photos'), { transform: resizeThenCenterCrop(64) });
 * for await (const { key, image } of stream) console.log(key, image.width);
 * console.log(stream.report?.skipped);
 */
export function iterateSamples(source: ImageSource, options: IterateSamplesOptions = {}): SampleStream {
  const { transform = [], strict = false, seed = 0, onEvent } = options;
  const prefetch = options.prefetch ?? 4 * availableParallelism();
  let report: EpochReport | undefined;

  async function* generate(): AsyncGenerator<Sample> {
    const started = performance.now();
    const skips = new SkipLog();
    let position = 0;
    let delivered = 0;
    const decode = async (item: Awaited<ReturnType<typeof source.readItem>>): Promise<Sample> => {
      const random = createSeededRandom(mixSeed(seed, position++, 0x5f11));
      return { key: item.key, label: item.label, image: await applyTransform(item.payload, transform, { random }) };
    };
    for await (const result of orderedMap(source.items(), decode, prefetch)) {
      if (!result.ok) {
        const reason = (result.error as Error).message;
        if (strict)
          throw new DataError(`${result.input.key}: ${reason} (strict mode)`, {
            cause: result.error,
            file: result.input.key,
          });
        skips.add(result.input.key, reason);
        onEvent?.({ status: 'skipped', epoch: 0, key: result.input.key, reason });
        continue;
      }
      delivered += 1;
      yield result.value;
    }
    report = {
      epoch: 0,
      itemsRead: delivered + skips.count,
      imagesDelivered: delivered,
      imagesDropped: 0,
      skippedCount: skips.count,
      skipped: skips.skipped,
      seconds: (performance.now() - started) / 1000,
    };
    onEvent?.({ status: 'epoch-end', report });
  }

  return {
    get report() {
      return report;
    },
    [Symbol.asyncIterator]: () => generate(),
  };
}
