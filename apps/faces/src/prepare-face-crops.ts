import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { UsageError } from '@dcgan/cli';
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
  const source = await openFaceCrops(plan.photos, {
    ...(plan.boxes === undefined ? {} : { boxes: plan.boxes }),
    margin: plan.margin,
  });
  const total = source.length ?? 0;
  const donePath = join(plan.crops, 'done.json');
  const settings: CropSettings = {
    photos: plan.photos,
    boxes: plan.boxes ?? null,
    margin: plan.margin,
    size: plan.size,
    total,
  };
  const fingerprint = JSON.stringify(settings);
  try {
    await checkCropsFolder(plan.crops, settings);
  } catch (error) {
    await source.close();
    throw error;
  }
  if (existsSync(donePath) && (await readFile(donePath, 'utf8')).includes(fingerprint)) {
    const done = JSON.parse(await readFile(donePath, 'utf8')) as { skipped: SkippedItem[] };
    await source.close();
    return { total, written: 0, kept: total - done.skipped.length, skipped: done.skipped };
  }
  await mkdir(plan.crops, { recursive: true });
  // Written before the first crop, so that an interrupted preparation still says how its crops were cut.
  await writeFileAtomic(join(plan.crops, planFileName), new TextEncoder().encode(`${fingerprint}\n`));
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

/** What the crops in a folder were cut with (`plan.json`; also the `fingerprint` inside `done.json`). */
interface CropSettings {
  readonly photos: string;
  readonly boxes: string | null;
  readonly margin: number;
  readonly size: number;
  readonly total: number;
}

const planFileName = 'plan.json';

async function readSettings(path: string, fromDone: boolean): Promise<CropSettings | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as { fingerprint?: string };
    return (fromDone ? JSON.parse(parsed.fingerprint ?? 'null') : parsed) as CropSettings | undefined;
  } catch {
    return undefined;
  }
}

/**
 * Refuses to add crops to a folder whose crops were cut with other settings (they would be kept as they are: a
 * resume with another `--margin` trained on the old crops), or to a non-empty folder that holds no crops of ours.
 */
async function checkCropsFolder(crops: string, settings: CropSettings): Promise<void> {
  const names = await readdir(crops).catch(() => [] as string[]);
  if (names.length === 0) return;
  const recorded =
    (await readSettings(join(crops, planFileName), false)) ?? (await readSettings(join(crops, 'done.json'), true));
  if (recorded == null || typeof recorded !== 'object') {
    throw new UsageError(
      `${crops} is not empty and holds no face crops made by dcgan-train-faces (no ${planFileName}): pass an empty or new --crops folder`,
    );
  }
  const flags: Record<keyof CropSettings, string> = {
    photos: '--photos',
    boxes: '--boxes',
    margin: '--margin',
    size: 'size',
    total: 'box count',
  };
  const differing = (Object.keys(flags) as (keyof CropSettings)[]).filter((key) => recorded[key] !== settings[key]);
  if (differing.length === 0) return;
  const shown = (value: unknown): string => (value === null ? '(no boxes file)' : String(value));
  const made = differing.map((key) => `${flags[key]} ${shown(recorded[key])}, not ${shown(settings[key])}`).join('; ');
  const flagsToPass = differing.filter((key) => flags[key].startsWith('--') && recorded[key] !== null);
  const pass =
    flagsToPass.length === 0
      ? ''
      : `pass ${flagsToPass.map((key) => `${flags[key]} ${shown(recorded[key])}`).join(' ')}, or `;
  const what = differing.length === 1 ? flags[differing[0]!].replace(/^--/, '') : 'settings';
  throw new UsageError(
    `${crops} holds face crops made with ${made}: ${pass}another --crops folder for the new ${what}`,
  );
}
