import { DataError } from '../errors/data-error';
import { LmdbReader, type LmdbReaderOptions } from '../formats/lmdb-reader';
import { defineSource } from '../source/define-source';
import type { ImageSource, SourceItem } from '../source/image-source';

/** Options of {@link openLmdbImages}. */
export interface LmdbImagesOptions extends LmdbReaderOptions {
  /** Use only the first `limit` entries (key order). @default all */
  readonly limit?: number;
}

const textDecoder = new TextDecoder('utf-8', { fatal: true });

/** An LMDB key as text when it is printable UTF-8 (LSUN's hex ids), else as hex. */
export function formatLmdbKey(key: Uint8Array): string {
  try {
    const text = textDecoder.decode(key);
    if (/^[\x20-\x7e]+$/.test(text)) return text;
  } catch {
    // not UTF-8: fall through to hex
  }
  return Buffer.from(key).toString('hex');
}

/**
 * The LSUN scene releases (`bedroom_train_lmdb`, ...: keys are image ids, values are JPEG images) or any
 * LMDB of encoded images, as a random-access source of unlabelled images decoded by sharp. An entry whose value is
 * not a decodable image is skipped by the pipeline and reported with its key.
 *
 * @example
 * const bedrooms = await openLmdbImages('data/bedroom_train_lmdb'); // 3,033,042 images
 * const stream = createBatches(bedrooms, { batchSize: 128, transform: resizeThenCenterCrop(64) });
 */
export async function openLmdbImages(path: string, options: LmdbImagesOptions = {}): Promise<ImageSource> {
  const { limit } = options;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0))
    throw new DataError(`Expected \`limit\` to be a non-negative integer, got \`${limit}\``);
  const reader = await LmdbReader.open(path, options);
  const length = Math.min(reader.count, limit ?? Number.POSITIVE_INFINITY);
  const toItem = (entry: { key: Uint8Array; value: Uint8Array }): SourceItem => ({
    key: `${reader.path}:${formatLmdbKey(entry.key)}`,
    label: undefined,
    payload: { encoded: entry.value },
  });
  return defineSource({
    description: `LMDB images (${reader.path}${options.database === undefined ? '' : `, database ${options.database}`})`,
    length,
    readItem: async (index) => toItem(await reader.entryAt(index)),
    items: async function* () {
      let index = 0;
      for await (const entry of reader.entries()) {
        if (index >= length) return;
        yield toItem(entry);
        index += 1;
      }
    },
    close: () => reader.close(),
  });
}
