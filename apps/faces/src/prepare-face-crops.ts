import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { applyTransform, openFaceCrops, resize, toRgb, writeFileAtomic, writePng, type SkippedItem } from '@dcgan/data';

export interface FaceCropsPlan {
  readonly photos: string;
  readonly boxes: string | undefined;
  readonly margin: number;
  /** Folder the 64x64 crops are written to, one PNG per box. */
  readonly crops: string;
  readonly size: number;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface FaceCropsResult {
  readonly total: number;
  readonly written: number;
  /** Crops already on disk from an earlier, interrupted preparation. */
  readonly kept: number;
  readonly skipped: readonly SkippedItem[];
}

const parallel = 32;

/**
 * Cuts every face box out of its photo (square, with margin), resizes it to `size` and writes it as a PNG, so that
 * dcgan-train can read the crops as an image folder. Resumable: crops already written are kept. Photos that cannot
 * be decoded are skipped and listed in `skipped.ndjson` in the crops folder.
 */
export async function prepareFaceCrops(plan: FaceCropsPlan): Promise<FaceCropsResult> {
  const source = await openFaceCrops(plan.photos, { ...(plan.boxes === undefined ? {} : { boxes: plan.boxes }), margin: plan.margin });
  const total = source.length ?? 0;
  const donePath = join(plan.crops, 'done.json');
  const fingerprint = JSON.stringify({ photos: plan.photos, boxes: plan.boxes ?? null, margin: plan.margin, size: plan.size, total });
  if (existsSync(donePath) && (await readFile(donePath, 'utf8')).includes(fingerprint)) {
    const done = JSON.parse(await readFile(donePath, 'utf8')) as { skipped: SkippedItem[] };
    await source.close();
    return { total, written: 0, kept: total - done.skipped.length, skipped: done.skipped };
  }
  await mkdir(plan.crops, { recursive: true });
  const pathOf = (index: number): string => join(plan.crops, `${String(index).padStart(9, '0')}.png`);
  const todo: number[] = [];
  for (let index = 0; index < total; index += 1) if (!existsSync(pathOf(index))) todo.push(index);
  const transform = [resize(plan.size), toRgb()];
  const skipped: SkippedItem[] = [];
  let done = total - todo.length;
  plan.onProgress?.(done, total);
  for (let start = 0; start < todo.length; start += parallel) {
    await Promise.all(
      todo.slice(start, start + parallel).map(async (index) => {
        let key = `box ${index}`;
        try {
          const item = await source.readItem(index);
          key = item.key;
          await writePng(pathOf(index), await applyTransform(item.payload, transform));
        } catch (error) {
          skipped.push({ key, reason: (error as Error).message });
        }
      }),
    );
    done += Math.min(parallel, todo.length - start);
    plan.onProgress?.(done, total);
  }
  await source.close();
  await writeFile(join(plan.crops, 'skipped.ndjson'), skipped.map((item) => `${JSON.stringify(item)}\n`).join(''));
  await writeFileAtomic(donePath, new TextEncoder().encode(`${JSON.stringify({ fingerprint, skipped })}\n`));
  return { total, written: todo.length - skipped.length, kept: total - todo.length, skipped };
}
