import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import { isEncodedImage, type ImageSource, type RawImage } from '@dcgan/data';

import { FacesError } from '../errors/faces-error';
import { decodePhoto, defaultMaxPhotoPixels, rawToRgb } from './decode-photo';
import { listPhotos } from './list-photos';

/** One photo to search: its name in the boxes file, and a way to decode it. */
export interface PhotoEntry {
  readonly file: string;
  /** Decodes the photo to upright RGB; rejects with a `FacesError` naming the file when it cannot. */
  load(): Promise<RawImage>;
}

/** Photos from a folder or an ImageSource. */
export interface PhotoInput {
  readonly description: string;
  /** The names of all photos, when known up front (a folder; a source with a length gives only the count). */
  readonly files: readonly string[] | undefined;
  readonly total: number | undefined;
  entries(): AsyncIterable<PhotoEntry>;
}

/**
 * Photos of a folder, read recursively, in sorted order; `exclude` lists folders to leave out (the output). Photos of
 * more than `maxPixels` pixels fail to load (see {@link decodePhoto}).
 */
export async function openPhotoFolder(
  directory: string,
  exclude: readonly string[],
  maxPixels = defaultMaxPhotoPixels,
): Promise<PhotoInput> {
  const root = resolve(directory);
  const files = await listPhotos(root, exclude);
  return {
    description: root,
    files,
    total: files.length,
    async *entries() {
      for (const file of files) {
        yield {
          file,
          async load() {
            let bytes: Buffer;
            try {
              bytes = await readFile(join(root, file));
            } catch (error) {
              throw new FacesError(`${file}: cannot read file: ${(error as Error).message}`, { cause: error, file });
            }
            return decodePhoto(bytes, file, maxPixels);
          },
        };
      }
    },
  };
}

/** Photos of any @dcgan/data `ImageSource`, named by their item keys. A `region` on an item is ignored. */
export function imageSourcePhotos(source: ImageSource, maxPixels = defaultMaxPhotoPixels): PhotoInput {
  return {
    description: source.description,
    files: undefined,
    total: source.length,
    async *entries() {
      for await (const item of source.items()) {
        const { payload, key } = item;
        yield {
          file: key,
          load: () => (isEncodedImage(payload) ? decodePhoto(payload.encoded, key, maxPixels) : rawToRgb(payload)),
        };
      }
    },
  };
}
