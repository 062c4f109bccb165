import { assertRawImage } from '../image/raw-image';
import { defineSource } from '../source/define-source';
import type { LabelledImageSource } from '../source/define-source';
import type { Sample } from '../source/sample';

/** Options of {@link createMemorySource}. */
export interface MemorySourceOptions {
  /** @default 'in-memory images' */
  readonly description?: string;
  /** @default undefined */
  readonly classNames?: readonly string[];
}

/**
 * A random-access source over samples already in memory (tests, small sets, generated images).
 *
 * @example
 * const source = createMemorySource([{ key: 'a', label: 0, image: { width: 1, height: 1, channels: 1, data: new Uint8Array([255]) } }]);
 */
export function createMemorySource(samples: readonly Sample[], options: MemorySourceOptions = {}): LabelledImageSource {
  const description = options.description ?? 'in-memory images';
  samples.forEach((sample, index) => assertRawImage(sample.image, `sample ${index} (${sample.key}) of ${description}`));
  const labels = Int32Array.from(samples, (sample) => sample.label ?? -1);
  return defineSource({
    description,
    length: samples.length,
    classNames: options.classNames,
    readItem: async (index) => {
      const sample = samples[index]!;
      return { key: sample.key, label: sample.label, payload: sample.image };
    },
    readLabels: async () => labels.slice(),
  }) as LabelledImageSource;
}
