import { DataError } from '../errors/data-error';
import type { ImageSource, SourceItem } from './image-source';
import { iterateSamples } from './iterate-samples';

/** What a concrete source provides; {@link defineSource} fills in the rest of {@link ImageSource}. */
export interface SourceDefinition {
  readonly description: string;
  readonly length: number | undefined;
  readonly classNames?: readonly string[] | undefined;
  /** Random access; when absent the source is stream-only. */
  readonly readItem?: (index: number) => Promise<SourceItem>;
  /** Storage-order items; defaults to `readItem(0..length-1)`. */
  readonly items?: () => AsyncIterable<SourceItem>;
  /** Labels of all items (-1 for none), where the source can read them without reading pixels. */
  readonly readLabels?: () => Promise<Int32Array>;
  readonly close?: () => Promise<void>;
}

/** A source with cheap access to every label (used by stratified sampling). */
export interface LabelledImageSource extends ImageSource {
  readLabels(): Promise<Int32Array>;
}

/**
 * Builds an {@link ImageSource} from a few functions. Iterating the result decodes in storage order and throws a
 * `DataError` naming the item on the first undecodable one; use `iterateSamples` or `createBatches` to skip and report.
 *
 * @example
 * const source = defineSource({ description: 'two dots', length: 2, readItem: async (index) => items[index]! });
 */
export function defineSource(
  definition: SourceDefinition,
): ImageSource & { readonly readLabels?: () => Promise<Int32Array> } {
  const { description, length, classNames, readItem, items, readLabels, close } = definition;
  let closed = false;
  const checkedRead = async (index: number): Promise<SourceItem> => {
    if (readItem === undefined)
      throw new DataError(
        `${description} is stream-only: it cannot read item ${index} directly; cache it (createShardCache) for random access`,
      );
    if (closed) throw new DataError(`${description} is closed`);
    if (!Number.isInteger(index) || index < 0 || (length !== undefined && index >= length)) {
      throw new DataError(
        `Expected \`index\` to be an integer in 0..${length === undefined ? '' : length - 1}, got \`${index}\` (${description})`,
      );
    }
    return readItem(index);
  };
  const source: ImageSource & { readLabels?: () => Promise<Int32Array> } = {
    description,
    length,
    classNames,
    randomAccess: readItem !== undefined && length !== undefined,
    readItem: checkedRead,
    items:
      items ??
      async function* () {
        for (let index = 0; index < (length ?? 0); index += 1) yield await checkedRead(index);
      },
    close: async () => {
      if (closed) return;
      closed = true;
      await close?.();
    },
    [Symbol.asyncIterator]: () => iterateSamples(source, { strict: true })[Symbol.asyncIterator](),
  };
  if (readLabels !== undefined) source.readLabels = readLabels;
  return source;
}
