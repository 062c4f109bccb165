import { readFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';

import { DataError } from '../errors/data-error';
import { readFaceBoxes, type FaceBox } from '../formats/face-boxes';
import { defaultImageExtensions, listFilesRecursive } from '../io/list-files';
import { defineSource } from '../source/define-source';
import type { ImageSource } from '../source/image-source';

/** Options of {@link openFaceCrops}. */
export interface FaceCropsOptions {
  /** Boxes file (JSON or CSV/TSV, see `readFaceBoxes`). Without it every image is used whole. @default none */
  readonly boxes?: string;
  /**
   * Context kept around each box, as a fraction of the box's longer side added on every side; the crop is then made
   * square and kept inside the image (shifted, or shrunk when the image is too small).
   * @default 0.25
   */
  readonly margin?: number;
}

/**
 * Face crops: a folder of photos plus an optional boxes file, as a random-access source of square crops (one item
 * per box) decoded and cropped by sharp. Follow with e.g. `[resize(64)]` to get the paper's 64x64 faces.
 *
 * @example
 * const faces = await openFaceCrops('data/faces/photos', { boxes: 'data/faces/boxes.csv', margin: 0.25 });
 * const stream = createBatches(faces, { batchSize: 128, transform: [resize(64), toRgb()] });
 */
export async function openFaceCrops(folder: string, options: FaceCropsOptions = {}): Promise<ImageSource> {
  const margin = options.margin ?? 0.25;
  if (!(margin >= 0 && margin <= 4))
    throw new DataError(`Expected \`margin\` to be a number in [0, 4], got \`${margin}\``);
  let boxes: (FaceBox | { readonly file: string; readonly box: undefined })[];
  if (options.boxes === undefined) {
    const { files } = await listFilesRecursive(folder, defaultImageExtensions);
    if (files.length === 0) throw new DataError(`${folder}: no images found`, { file: folder });
    boxes = files.map((file) => ({ file, box: undefined }));
  } else {
    boxes = await readFaceBoxes(options.boxes);
    if (boxes.length === 0) throw new DataError(`${options.boxes}: holds no boxes`, { file: options.boxes });
  }
  const photos = resolve(folder);
  for (const { file } of boxes) {
    const path = resolve(photos, file);
    if (path !== photos && !path.startsWith(photos + sep))
      throw new DataError(`${folder}: \`${file}\` is not a path inside the photos folder`, { file: folder });
  }
  const perFile = new Map<string, number>();
  const keys = boxes.map(({ file }) => {
    const count = perFile.get(file) ?? 0;
    perFile.set(file, count + 1);
    return `${join(folder, file)}#box${count}`;
  });
  return defineSource({
    description: `face crops (${folder}${options.boxes === undefined ? '' : `, boxes ${options.boxes}`}, ${boxes.length} crops)`,
    length: boxes.length,
    readItem: async (index) => {
      const { file, box } = boxes[index]!;
      const path = join(folder, file);
      const encoded = await readFile(path).catch((error: unknown) => {
        throw Object.assign(
          new DataError(`cannot read file: ${(error as Error).message}`, { cause: error, file: path }),
          { itemKey: keys[index] },
        );
      });
      return {
        key: keys[index]!,
        label: undefined,
        payload: box === undefined ? { encoded } : { encoded, region: { kind: 'square-with-margin', box, margin } },
      };
    },
  });
}
