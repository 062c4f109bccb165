import { DataError } from '../errors/data-error';
import { defineSource, type LabelledImageSource } from '../source/define-source';
import type { ImageSource } from '../source/image-source';

/** Reads every label of a source: cheaply where it can (`readLabels`), else by reading each item. */
export async function readAllLabels(source: ImageSource): Promise<Int32Array> {
  const withLabels = source as Partial<LabelledImageSource>;
  if (typeof withLabels.readLabels === 'function') return withLabels.readLabels();
  if (source.length === undefined)
    throw new DataError(`${source.description}: has no known length, so its labels cannot be listed`);
  const labels = new Int32Array(source.length);
  let index = 0;
  for await (const item of source.items()) {
    if (index >= labels.length) break;
    labels[index] = item.label ?? -1;
    index += 1;
  }
  return labels;
}

/**
 * The items of `source` at `indices`, in that order, as a new random-access source (splits, stratified samples,
 * debugging subsets). Closing it does not close `source`.
 *
 * @example
 * const first100 = subsetSource(source, Array.from({ length: 100 }, (_, index) => index));
 */
export function subsetSource(
  source: ImageSource,
  indices: ArrayLike<number>,
  description = `subset of ${source.description}`,
): LabelledImageSource {
  if (!source.randomAccess || source.length === undefined) {
    throw new DataError(
      `${source.description}: is stream-only; splits and subsets need random access (cache it with createShardCache first)`,
    );
  }
  const length = source.length;
  const order = Uint32Array.from({ length: indices.length }, (_, position) => {
    const index = indices[position]!;
    if (!Number.isInteger(index) || index < 0 || index >= length)
      throw new DataError(`Expected subset indices in 0..${length - 1}, got \`${index}\` at position ${position}`);
    return index;
  });
  let labels: Promise<Int32Array> | undefined;
  return defineSource({
    description,
    length: order.length,
    classNames: source.classNames,
    readItem: (index) => source.readItem(order[index]!),
    readLabels: async () => {
      labels ??= readAllLabels(source).then((all) => Int32Array.from(order, (index) => all[index]!));
      return (await labels).slice();
    },
  }) as LabelledImageSource;
}
