import {
  createBatches,
  defineSource,
  type Batch,
  type DataEvent,
  type ImageSource,
  type ImageTransform,
} from '@dcgan/data';

import { ProbeError, describeValue } from '../errors/probe-error';

/**
 * Images to probe: a random-access `@dcgan/data` source, optionally a subset of it, and the transform
 * that brings its images to the discriminator's input (size, channels).
 */
export interface ProbeImages {
  readonly source: ImageSource;
  /**
   * Positions in `source` to use, in this order.
   * @default every item
   */
  readonly indices?: ArrayLike<number>;
  /**
   * Decode-time transform, e.g. `[pad(32)]` for 28px MNIST digits into a 32px D, `[resize(32), toRgb()]`.
   * @default [] (images as stored)
   */
  readonly transform?: ImageTransform;
}

/** Number of items a {@link ProbeImages} selects. */
export function probeImageCount(images: ProbeImages): number {
  checkProbeImages(images);
  return images.indices?.length ?? images.source.length!;
}

/** Checks a {@link ProbeImages}: a random-access source and in-range integer indices. */
export function checkProbeImages(images: ProbeImages): void {
  if (images == null || typeof images !== 'object' || images.source == null) {
    throw new ProbeError(
      `Expected probe images \`{ source, indices?, transform? }\`, got \`${describeValue(images)}\``,
    );
  }
  const { source, indices } = images;
  if (!source.randomAccess || source.length === undefined) {
    throw new ProbeError(
      `Expected a random-access source with a known length, got ${source.description}; cache it first (createShardCache)`,
    );
  }
  if (indices !== undefined) {
    for (let position = 0; position < indices.length; position++) {
      const index = indices[position];
      if (!Number.isInteger(index) || index! < 0 || index! >= source.length) {
        throw new ProbeError(
          `Expected index ${position} to be an integer in 0..${source.length - 1} (${source.description}), got \`${describeValue(index)}\``,
        );
      }
    }
  }
}

/** Items `[start, end)` of the selection, as a source of their own. */
export function selectionSource(images: ProbeImages, start: number, end: number): ImageSource {
  const { source, indices } = images;
  return defineSource({
    description: `${source.description}, items ${start}..${end - 1} of the probe selection`,
    length: end - start,
    classNames: source.classNames,
    readItem: async (position) => {
      const item = await source.readItem(indices === undefined ? start + position : indices[start + position]!);
      return { ...item, key: `${positionTag}${start + position}:${item.key}` };
    },
  });
}

const positionTag = '#probe-position=';

/** Splits a key of {@link selectionSource} into the selection position and the source's own key. */
export function untagKey(key: string): { readonly position: number; readonly key: string } {
  if (!key.startsWith(positionTag)) return { position: -1, key };
  const separator = key.indexOf(':', positionTag.length);
  return { position: Number(key.slice(positionTag.length, separator)), key: key.slice(separator + 1) };
}

/** Identifies a selection (source, indices, transform) for feature stores. */
export function selectionIdentity(images: ProbeImages): string {
  const count = probeImageCount(images);
  let hash = 0x811c9dc5;
  const indices = images.indices;
  for (let position = 0; position < count; position++) {
    hash = Math.imul(hash ^ (indices === undefined ? position : indices[position]!), 0x01000193) >>> 0;
  }
  return `${images.source.description} | ${count} items | indices ${hash.toString(16).padStart(8, '0')} | transform ${JSON.stringify(images.transform ?? [])}`;
}

/**
 * Batches of items `[start, end)` of the selection, in order, decoded in parallel; undecodable items are
 * skipped and reported through `onDataEvent`.
 */
export function selectionBatches(
  images: ProbeImages,
  start: number,
  end: number,
  options: {
    readonly batchSize: number;
    readonly onDataEvent?: (event: DataEvent) => void;
    readonly signal?: AbortSignal | undefined;
  },
): AsyncIterable<Batch> {
  return createBatches(selectionSource(images, start, end), {
    batchSize: options.batchSize,
    transform: images.transform ?? [],
    shuffle: false,
    dropRemainder: false,
    ...(options.onDataEvent === undefined ? {} : { onEvent: options.onDataEvent }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
}

/** Throws a clear error when a batch does not have the model's input shape. */
export function checkBatchShape(
  batch: Batch,
  inputShape: readonly [number, number, number],
  images: ProbeImages,
): void {
  const [, height, width, channels] = batch.shape;
  if (height !== inputShape[0] || width !== inputShape[1] || channels !== inputShape[2]) {
    throw new ProbeError(
      `Expected ${inputShape.join('x')} images for this model, got ${height}x${width}x${channels} from ${images.source.description}; ` +
        'pass a `transform` that brings them to that size and channel count (e.g. [pad(32)] or [resize(32), toRgb()])',
    );
  }
}
