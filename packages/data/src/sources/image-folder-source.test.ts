import { cp, mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import sharp from 'sharp';
import { describe, expect, it } from 'vitest';

import { createBatches } from '../batch/create-batches';
import { DataError } from '../errors/data-error';
import { iterateSamples } from '../source/iterate-samples';
import { expected, fixture, sha256 } from '../testing/fixtures';
import { resizeThenCenterCrop, toGrayscale, toRgb } from '../transform/transform-step';
import { openImageFolder } from './image-folder-source';

describe('openImageFolder', () => {
  it('lists images recursively in a stable order, ImageNet-style labels from top-level subfolders', async () => {
    const source = await openImageFolder(fixture('images'), { labels: 'subfolders' });
    expect(source.classNames).toEqual(expected.images.classes);
    expect(source.files).toEqual([
      'cat/a.png',
      'cat/b.jpg',
      'cat/indoor/c.webp',
      'cat/noise.png',
      'dog/d.png',
      'dog/e.png',
      'dog/empty.jpg',
      'dog/f.gif',
      'dog/truncated.jpg',
    ]);
    expect(source.ignoredFileCount).toBe(1); // notes.txt
    expect([source.duplicateFileCount, source.duplicateFolderCount]).toEqual([0, 0]);
    expect(Array.from(await source.readLabels())).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 1]);
    const unlabelled = await openImageFolder(fixture('images'));
    expect((await unlabelled.readItem(0)).label).toBeUndefined();
  });

  it('opens each image once when links lead back into the folder, and says how many it skipped', async () => {
    const root = await mkdtemp(join(tmpdir(), 'dcgan-data-folder-links-'));
    try {
      await cp(fixture('images', 'dog'), root, { recursive: true });
      await mkdir(join(root, 'sub'));
      await symlink('..', join(root, 'sub', 'up'));
      await symlink('../d.png', join(root, 'sub', 'd-again.png'));
      const source = await openImageFolder(root);
      expect(source.files).toEqual(['d.png', 'e.png', 'empty.jpg', 'f.gif', 'truncated.jpg']);
      expect([source.duplicateFileCount, source.duplicateFolderCount]).toEqual([1, 1]);
      expect(source.description).toBe(
        `image folder (${root}, 5 images; skipped as reached again through links: 1 file(s), 1 folder(s))`,
      );
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('decodes PNG, WebP, GIF (first frame) exactly as PIL does, and skips and reports corrupt files', async () => {
    const source = await openImageFolder(fixture('images'), { labels: 'subfolders' });
    const events: string[] = [];
    const stream = iterateSamples(source, { onEvent: (event) => events.push(event.status) });
    const decoded = new Map<string, { sha: string; channels: number; label: number | undefined; data: Uint8Array }>();
    for await (const sample of stream) {
      decoded.set(sample.key.slice(fixture('images').length + 1), {
        sha: sha256(sample.image.data),
        channels: sample.image.channels,
        label: sample.label,
        data: sample.image.data,
      });
    }
    for (const name of ['cat/a.png', 'cat/indoor/c.webp', 'dog/f.gif', 'dog/e.png']) {
      expect(decoded.get(name)?.sha, name).toBe(expected.images.good[name]!.sha256);
      expect(decoded.get(name)?.label).toBe(expected.images.good[name]!.label);
    }
    expect(Array.from(decoded.get('dog/f.gif')!.data.subarray(0, 3))).toEqual(
      expected.images.good['dog/f.gif']!.firstFramePixel,
    );
    expect(decoded.get('dog/d.png')!.channels).toBe(3); // gray files decode to RGB (use toGrayscale for one channel)
    expect(stream.report?.skippedCount).toBe(3);
    expect(stream.report?.skipped.map((skip) => skip.key.slice(fixture('images').length + 1)).sort()).toEqual(
      expected.images.corrupt,
    );
    for (const skip of stream.report!.skipped) expect(skip.reason).toMatch(/cannot decode image: .+/);
    expect(events.filter((status) => status === 'skipped')).toHaveLength(3);
    expect(events.at(-1)).toBe('epoch-end');
  });

  it('gives gray and RGB-over-black conversions equal to PIL/numpy', async () => {
    const source = await openImageFolder(fixture('images'), { labels: 'subfolders' });
    const gray = await (await import('../transform/apply-transform')).applyTransform(
      (await source.readItem(4)).payload,
      [toGrayscale()],
    );
    expect(sha256(gray.data)).toBe(expected.images.good['dog/d.png']!.sha256);
    const rgb = await (await import('../transform/apply-transform')).applyTransform(
      (await source.readItem(5)).payload,
      [toRgb()],
    );
    expect(sha256(rgb.data)).toBe(expected.images.good['dog/e.png']!.rgbOverBlackSha256);
  });

  it('strict mode turns the first corrupt file into a DataError naming it', async () => {
    const source = await openImageFolder(fixture('images'));
    const error = await (async () => {
      try {
        for await (const batch of createBatches(source, {
          batchSize: 2,
          shuffle: false,
          strict: true,
          transform: [...resizeThenCenterCrop(8), toRgb()],
        }))
          void batch;
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(DataError.isInstance(error)).toBe(true);
    expect((error as DataError).message).toMatch(/images\/cat\/noise\.png: .*\(strict mode\)/);
    // Iterating a source directly is strict too: no silent drops.
    await expect(async () => {
      for await (const sample of source) void sample;
    }).rejects.toThrow(/noise\.png/);
  });

  it('batches a folder with parallel decode: every good image once, corrupt ones in the epoch report', async () => {
    const source = await openImageFolder(fixture('images'), { labels: 'subfolders' });
    const stream = createBatches(source, { batchSize: 3, seed: 3, transform: [...resizeThenCenterCrop(8), toRgb()] });
    const keys: string[] = [];
    for await (const batch of stream) {
      expect(batch.shape).toEqual([3, 8, 8, 3]);
      keys.push(...batch.keys);
    }
    expect(keys).toHaveLength(6);
    expect(new Set(keys).size).toBe(6);
    expect(stream.report).toMatchObject({ itemsRead: 9, imagesDelivered: 6, imagesDropped: 0, skippedCount: 3 });
  });

  it('decodes the JPEG within rounding of PIL', async () => {
    const source = await openImageFolder(fixture('images'));
    const item = await source.readItem(1);
    const { applyTransform } = await import('../transform/apply-transform');
    const image = await applyTransform(item.payload);
    const reference = new Uint8Array(
      await sharp(await readFile(fixture('reference', 'b-decoded.png')))
        .raw()
        .toBuffer(),
    );
    let sum = 0;
    for (let index = 0; index < reference.length; index += 1) sum += Math.abs(reference[index]! - image.data[index]!);
    expect(sum / reference.length).toBeLessThan(1.5);
  });

  it('fails fast on a missing folder or one without images', async () => {
    await expect(openImageFolder(fixture('no-such-folder'))).rejects.toThrow(/no-such-folder: cannot read folder/);
    await expect(openImageFolder(fixture('idx'))).rejects.toThrow(/idx: no images found/);
  });
});
