import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';

import { initBackend } from '@dcgan/backend';
import { applyTransform, configureJpegDecoding, createMemorySource, openFaceCrops, resize, toRgb } from '@dcgan/data';

import { createFaceDetector, type FaceDetector } from '../detector/face-detector';
import { FacesError } from '../errors/faces-error';
import { readMnistDigit, readSamplePhoto, resizeRaw, samplePhotoPath } from '../test-support/sample-photos';
import { buildFaceDataset } from './build-face-dataset';
import type { BuildFaceDatasetOptions } from './face-dataset-options';
import type { FacesEvent } from './faces-event';
import { readJournal } from './journal';

let detector: FaceDetector;
let photos: string;
let base: string;

/** Two real group photos (3 and 4 faces), one truncated JPEG, and an upscaled MNIST digit (no face). */
beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  detector = await createFaceDetector({ model: 'ssd-mobilenet-v1', minimumScore: 0.3 });
  base = await mkdtemp(join(tmpdir(), 'faces-dataset-'));
  photos = join(base, 'photos');
  await mkdir(join(photos, 'party'), { recursive: true });
  await copyFile(samplePhotoPath(1), join(photos, 'party', 'sample1.jpg'));
  await copyFile(samplePhotoPath(6), join(photos, 'sample6.jpg'));
  await writeFile(join(photos, 'broken.jpg'), (await readFile(samplePhotoPath(2))).subarray(0, 4000));
  const digit = await resizeRaw(await readMnistDigit(3, 0), 448, 448);
  await sharp(digit.data, { raw: { width: 448, height: 448, channels: 1 } })
    .png()
    .toFile(join(photos, 'mnist-3.png'));
});

afterAll(async () => {
  detector?.dispose();
  await rm(base, { recursive: true, force: true });
});

// 1920 px photos: sample1's faces have shorter sides 177-202 px, sample6's 159-211, so 190 keeps some of each.
const minimumSize = 190;

function options(outputDirectory: string, extra: Partial<BuildFaceDatasetOptions> = {}): BuildFaceDatasetOptions {
  return { photos, outputDirectory, detector, minimumSize, ...extra };
}

let fullRun: { output: string; boxesCsv: string } | undefined;

describe('buildFaceDataset', () => {
  it('writes crops, boxes files, a contact sheet and a summary, listing unreadable photos', async () => {
    const output = join(base, 'full');
    const events: FacesEvent[] = [];
    const summary = await buildFaceDataset(options(output, { onEvent: (event) => events.push(event) }));

    expect(summary.photosListed).toBe(4);
    expect(summary.photosRead).toBe(3);
    expect(summary.unreadable).toHaveLength(1);
    expect(summary.unreadable[0]?.file).toBe('broken.jpg');
    expect(summary.unreadable[0]?.reason).toMatch(/cannot decode image/);
    expect(summary.interrupted).toBe(false);
    // Seven faces in the two photos; the digit gives none.
    expect(summary.facesFound).toBeGreaterThanOrEqual(6);
    expect(summary.facesFound).toBeLessThanOrEqual(8);
    expect(summary.facesKept + summary.rejected['too-small'] + summary.rejected['low-score']).toBe(summary.facesFound);
    expect(summary.facesKept).toBeGreaterThanOrEqual(2);
    expect(summary.rejected['too-small']).toBeGreaterThanOrEqual(2);

    const records = await readJournal(summary.files.detections);
    expect(records.map((record) => record.file)).toEqual([
      'broken.jpg',
      'mnist-3.png',
      'party/sample1.jpg',
      'sample6.jpg',
    ]);
    const digit = records[1];
    expect(digit !== undefined && 'faces' in digit ? digit.faces : undefined).toEqual([]);
    const kept = records.flatMap((record) =>
      'faces' in record ? record.faces.filter((face) => face.kept).map((face) => ({ record, face })) : [],
    );
    for (const record of records) {
      if (!('faces' in record)) continue;
      for (const face of record.faces) {
        if (face.kept) expect(Math.min(face.w, face.h)).toBeGreaterThanOrEqual(minimumSize);
        if (face.reason === 'too-small') expect(Math.min(face.w, face.h)).toBeLessThan(minimumSize);
      }
    }

    // Crops: one 64 x 64 RGB PNG per kept box.
    expect(kept).toHaveLength(summary.facesKept);
    for (const { face } of kept) {
      const metadata = await sharp(join(output, face.crop as string)).metadata();
      expect([metadata.format, metadata.width, metadata.height, metadata.channels]).toEqual(['png', 64, 64, 3]);
    }

    // Boxes files: the kept boxes, in the format @dcgan/data's face-crop source reads.
    const boxesCsv = await readFile(summary.files.boxesCsv, 'utf8');
    expect(boxesCsv.split('\n')[0]).toBe('file,x,y,w,h');
    expect(boxesCsv.trim().split('\n').slice(1)).toEqual(
      kept.map(({ record, face }) => `${record.file},${face.x},${face.y},${face.w},${face.h}`),
    );
    const boxesJson = JSON.parse(await readFile(summary.files.boxesJson, 'utf8')) as unknown[];
    expect(boxesJson).toEqual(
      kept.map(({ record, face }) => ({ file: record.file, x: face.x, y: face.y, w: face.w, h: face.h })),
    );

    // Contact sheet: every box of this small run has a tile on it.
    const sheet = await sharp(summary.files.contactSheet).metadata();
    expect(sheet.format).toBe('png');
    expect(sheet.width).toBe(1164);
    expect((await readdir(join(output, 'contact-tiles'))).sort()).toHaveLength(summary.facesFound);

    expect(JSON.parse(await readFile(summary.files.summary, 'utf8'))).toEqual(summary);
    expect(events.filter((event) => event.status === 'photo')).toHaveLength(3);
    expect(events.filter((event) => event.status === 'unreadable')).toHaveLength(1);
    expect(events.at(-1)?.status).toBe('finished');
    fullRun = { output, boxesCsv };
  });

  it('writes the very crops that @dcgan/data openFaceCrops cuts with its boxes files (CSV and JSON)', async () => {
    if (fullRun === undefined) throw new Error('needs the first test');
    const records = await readJournal(join(fullRun.output, 'detections.jsonl'));
    const crops = records.flatMap((record) =>
      'faces' in record ? record.faces.filter((face) => face.kept).map((face) => face.crop as string) : [],
    );
    // Same squares, same resize filter: compare with @dcgan/data's sharp path (its JPEG fast path resizes with a
    // different filter, checked against PIL in @dcgan/data's own tests).
    await configureJpegDecoding({ fastPath: false });
    onTestFinished(() => configureJpegDecoding({ fastPath: true }));
    for (const boxes of ['boxes.csv', 'boxes.json']) {
      // Its default margin (0.25) is ours, so no option is needed to get the same squares.
      const source = await openFaceCrops(photos, { boxes: join(fullRun.output, boxes) });
      expect(source.length).toBe(crops.length);
      for (const [index, crop] of crops.entries()) {
        const theirs = await applyTransform((await source.readItem(index)).payload, [resize(64), toRgb()]);
        const ours = await sharp(join(fullRun.output, crop)).raw().toBuffer();
        expect(ours.length).toBe(theirs.data.length);
        let total = 0;
        for (let offset = 0; offset < ours.length; offset += 1)
          total += Math.abs((ours[offset] as number) - (theirs.data[offset] as number));
        expect(total / ours.length, `${boxes} crop ${index}`).toBeLessThan(1);
      }
    }
  });

  it('resumes an interrupted run without redoing finished photos, ending with the same boxes', async () => {
    if (fullRun === undefined) throw new Error('needs the first test');
    const output = join(base, 'interrupted');
    const controller = new AbortController();
    const first = await buildFaceDataset(
      options(output, {
        signal: controller.signal,
        onEvent: (event) => event.status === 'photo' && controller.abort(),
      }),
    );
    expect(first.interrupted).toBe(true);
    expect((await readJournal(first.files.detections)).map((record) => record.file)).toEqual([
      'broken.jpg',
      'mnist-3.png',
    ]);

    const searched: string[] = [];
    const second = await buildFaceDataset(
      options(output, { onEvent: (event) => event.status === 'photo' && searched.push(event.file) }),
    );
    expect(second.photosResumed).toBe(2);
    expect(searched).toEqual(['party/sample1.jpg', 'sample6.jpg']);
    expect(second.interrupted).toBe(false);
    expect(second.unreadable.map((photo) => photo.file)).toEqual(['broken.jpg']);
    expect(await readFile(second.files.boxesCsv, 'utf8')).toBe(fullRun.boxesCsv);

    // A crash while the last photo's line was being written: only that photo is redone.
    const journal = await readFile(second.files.detections, 'utf8');
    await truncate(
      second.files.detections,
      journal.length - Math.floor((journal.length - journal.lastIndexOf('\n', journal.length - 2)) / 2),
    );
    await rm(second.files.boxesCsv);
    searched.length = 0;
    const third = await buildFaceDataset(
      options(output, { onEvent: (event) => event.status === 'photo' && searched.push(event.file) }),
    );
    expect(searched).toEqual(['sample6.jpg']);
    expect(await readFile(third.files.boxesCsv, 'utf8')).toBe(fullRun.boxesCsv);
  });

  it('refuses to resume with other settings, naming them', async () => {
    if (fullRun === undefined) throw new Error('needs the first test');
    const error = await buildFaceDataset(options(fullRun.output, { minimumSize: 100 })).catch(
      (caught: unknown) => caught,
    );
    expect(FacesError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('minimumSize: 190 -> 100');
  });

  it('refuses a folder that is not empty and not a faces run, with or without overwrite, touching nothing', async () => {
    const output = join(base, 'user-folder');
    await mkdir(join(output, 'crops'), { recursive: true });
    await writeFile(join(output, 'crops', 'precious.txt'), 'keep me');
    await writeFile(join(output, 'summary.json'), '{"mine":true}');
    for (const existing of ['resume', 'overwrite'] as const) {
      const error = await buildFaceDataset(options(output, { existing })).catch((caught: unknown) => caught);
      expect(FacesError.isInstance(error)).toBe(true);
      expect((error as Error).message).toBe(
        `${output} is not empty and holds no dcgan-faces run (no faces-run.json): choose an empty or new output folder`,
      );
    }
    expect(await readFile(join(output, 'crops', 'precious.txt'), 'utf8')).toBe('keep me');
    expect(await readFile(join(output, 'summary.json'), 'utf8')).toBe('{"mine":true}');
    expect((await readdir(output)).sort()).toEqual(['crops', 'summary.json']);
    expect(await readdir(join(output, 'crops'))).toEqual(['precious.txt']);
  });

  it('reads any @dcgan/data image source, naming photos by item key', async () => {
    const photo = await resizeRaw(await readSamplePhoto(6), 960, 768);
    const source = createMemorySource([{ key: 'memory/sample6', label: undefined, image: photo }]);
    const output = join(base, 'from-source');
    // An earlier run in the folder, with a stale boxes file: overwrite starts again.
    await buildFaceDataset({
      photos: source,
      outputDirectory: output,
      detector,
      minimumSize: 300,
      contactSheetLimit: 0,
    });
    await writeFile(join(output, 'boxes.csv'), 'stale');
    const summary = await buildFaceDataset({
      photos: source,
      outputDirectory: output,
      detector,
      minimumSize: 64,
      existing: 'overwrite',
      contactSheetLimit: 1,
    });
    expect(summary.photosRead).toBe(1);
    expect(summary.facesKept).toBe(4);
    const rows = (await readFile(summary.files.boxesCsv, 'utf8')).trim().split('\n');
    expect(rows).toHaveLength(5);
    expect(rows.slice(1).every((row) => row.startsWith('memory/sample6,'))).toBe(true);
    expect(await readdir(join(output, 'crops', 'memory'))).toHaveLength(4);
    expect(await readdir(join(output, 'contact-tiles'))).toEqual(['kept-000001.png']);
  });

  it('validates options before touching anything', async () => {
    const output = join(base, 'never');
    await expect(buildFaceDataset(options(output, { imageSize: 0 }))).rejects.toThrow(
      'Expected `imageSize` to be an integer in [8, 4096], got `0`',
    );
    await expect(buildFaceDataset(options(output, { minimumScore: 0.2, candidateScore: 0.3 }))).rejects.toThrow(
      'Expected `candidateScore` to be in [0, minimumScore = 0.2], got `0.3`',
    );
    await expect(buildFaceDataset(options(output, { minimumScore: 0.2 }))).rejects.toThrow(
      'Expected `detector` to report scores down to `candidateScore` = 0.2, but it stops at 0.3',
    );
    await expect(buildFaceDataset(options(output, { margin: -1 }))).rejects.toThrow('Expected `margin`');
    await expect(readdir(output)).rejects.toThrow();
  });
});
