import { mkdir, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import '@tensorflow/tfjs-backend-cpu';
import {
  applyTransform,
  encodePng,
  openDataset,
  openImageFolder,
  openMnistPackage,
  toGrayscale,
  resize,
} from '@dcgan/data';
import { loadSemanticHasher, mergeHashShards, readDedupReport } from '@dcgan/dedup';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import { parseDedupArguments } from '../arguments.js';
import { createOutputFolders, openHasherInput, trainingSet } from '../output-folders.js';
import { hashAndReport, hashShard } from './hash-command.js';
import { trainHasher } from './train-command.js';

let folder: string;

/** Runs `run` with process.stderr captured (the commands print their notes and warnings there). */
async function captureStderr<T>(run: () => Promise<T>): Promise<{ result: T; text: string }> {
  const chunks: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string) => {
    chunks.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    return { result: await run(), text: chunks.join('') };
  } finally {
    process.stderr.write = write;
  }
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  folder = await mkdtemp(join(tmpdir(), 'dedup-app-'));
  await mkdir(join(folder, 'photos'));
  const mnist = await openMnistPackage({ limitPerClass: 3 });
  for (let index = 0; index < 30; index += 1) {
    const png = await encodePng(await applyTransform((await mnist.readItem(index)).payload, []));
    await writeFile(join(folder, 'photos', `digit-${String(index).padStart(2, '0')}.png`), png);
    if (index === 4) await writeFile(join(folder, 'photos', 'digit-04-copy.png'), png);
  }
  await writeFile(join(folder, 'photos', 'broken.png'), 'not a png at all');
});

describe('dcgan-dedup train + hash', () => {
  it('trains a hasher on an image folder, hashes it, reports the copy, lists the broken file, draws the sheet', async () => {
    const out = join(folder, 'run');
    const argv = [
      'run',
      '--data',
      join(folder, 'photos'),
      '--out',
      out,
      '--image-size',
      '16',
      '--channels',
      '1',
      '--code-bits',
      '32',
      '--epochs',
      '2',
      '--batch-size',
      '8',
      '--chunk-size',
      '10',
    ];
    const arguments_ = parseDedupArguments(argv);
    const { source, transform, format } = await openDataset(arguments_.data, {
      format: arguments_.format ?? 'auto',
      size: 16,
      channels: 1,
      photoFit: 'crop-then-resize',
    });
    expect(format).toBe('folder');
    const hasherPath = join(out, 'hasher.bin');
    await createOutputFolders(arguments_);
    const controller = new AbortController();
    const hasher = await trainHasher(arguments_, source, transform, hasherPath, controller.signal);
    expect(hasher.training.epochs).toBe(2);
    expect(await (await loadSemanticHasher(hasherPath)).fingerprint()).toBe(await hasher.fingerprint());

    const report = await hashAndReport(arguments_, source, transform, hasher, out, controller.signal);
    expect(report.counts).toMatchObject({ items: 32, hashed: 31, skipped: 1 });
    expect(report.skipped[0]!.key).toMatch(/broken\.png$/);
    const copyGroup = report.groups.find((group) =>
      [group.kept, ...group.dropped].some((item) => item.key.endsWith('digit-04-copy.png')),
    );
    expect(copyGroup).toBeDefined();
    expect([copyGroup!.kept, ...copyGroup!.dropped].map((item) => item.key.split('/').pop())).toContain('digit-04.png');
    expect(await readDedupReport(join(out, 'dedup-report.json'))).toEqual(JSON.parse(JSON.stringify(report)));
    expect((await stat(join(out, 'collisions.png'))).size).toBeGreaterThan(100);

    // Rerunning trains nothing more (the file already holds 2 epochs) and resumes the finished hashes.
    const again = await trainHasher(arguments_, source, transform, hasherPath, controller.signal);
    expect(await again.fingerprint()).toBe(await hasher.fingerprint());
    const manifest = JSON.parse(await readFile(join(out, 'hashes', 'manifest.json'), 'utf8')) as { chunkSize: number };
    expect(manifest.chunkSize).toBe(10);

    // `hash --shard i/3` three times, then `merge`: the same hashes folder and the same report.
    const sharded = join(folder, 'sharded');
    for (const index of [1, 0, 2]) {
      await hashShard(
        parseDedupArguments([
          'hash',
          ...argv.slice(1).map((value) => (value === out ? sharded : value)),
          '--hasher',
          hasherPath,
          '--shard',
          `${index}/3`,
        ]),
        source,
        transform,
        hasher,
        sharded,
        controller.signal,
      );
    }
    const merged = await mergeHashShards(sharded, join(sharded, 'hashes'));
    expect(merged).toMatchObject({ shards: 3, itemsRead: 32, hashed: 31, skipped: 1 });
    for (const name of await readdir(join(out, 'hashes'))) {
      expect(await readFile(join(sharded, 'hashes', name)), name).toEqual(await readFile(join(out, 'hashes', name)));
    }
    const mergedReport = await hashAndReport(arguments_, source, transform, hasher, sharded, controller.signal);
    expect(mergedReport.counts).toEqual(report.counts);
    expect(mergedReport.groups).toEqual(report.groups);
  });

  it("creates a missing output folder (and the hasher file's folder) before any work", async () => {
    const out = join(folder, 'not', 'there', 'yet');
    const hasherFolder = join(folder, 'hashers', 'nested');
    await createOutputFolders(
      parseDedupArguments([
        'run',
        '--data',
        join(folder, 'photos'),
        '--out',
        out,
        '--hasher',
        join(hasherFolder, 'h.bin'),
      ]),
    );
    expect((await stat(out)).isDirectory()).toBe(true);
    expect((await stat(hasherFolder)).isDirectory()).toBe(true);
    const trainFolder = join(folder, 'train-only', 'deep');
    await createOutputFolders(parseDedupArguments(['train', '--hasher', join(trainFolder, 'h.bin')]));
    expect((await stat(trainFolder)).isDirectory()).toBe(true);
  });

  it('trains the hasher on --train-data, hashes --data, and warns that the training set is small', async () => {
    const other = join(folder, 'other-digits');
    await mkdir(other, { recursive: true });
    const mnist = await openMnistPackage({ limitPerClass: 6 });
    for (let index = 30; index < 60; index += 1)
      await writeFile(
        join(other, `other-${index}.png`),
        await encodePng(await applyTransform((await mnist.readItem(index)).payload, [])),
      );
    const out = join(folder, 'train-data-run');
    const argv = [
      'run',
      '--data',
      join(folder, 'photos'),
      '--train-data',
      other,
      '--out',
      out,
      '--image-size',
      '16',
      '--channels',
      '1',
      '--code-bits',
      '32',
      '--epochs',
      '1',
      '--batch-size',
      '8',
    ];
    const arguments_ = parseDedupArguments(argv);
    expect(arguments_.trainData).toBe(other);
    expect(() => parseDedupArguments(['hash', '--hasher', 'h.bin', '--out', 'o', '--train-data', other])).toThrow(
      '`--train-data` and `--train-format` only apply to `train` and `run`',
    );
    await createOutputFolders(arguments_);
    const data = await openHasherInput(arguments_, arguments_.data, arguments_.format);
    const training = await trainingSet(arguments_, data);
    expect(training.source.description).not.toBe(data.source.description);
    expect(training.source.length).toBe(30);
    const { result: hasher, text: warnings } = await captureStderr(() =>
      trainHasher(
        arguments_,
        training.source,
        training.transform,
        join(out, 'hasher.bin'),
        new AbortController().signal,
      ),
    );
    expect(hasher.training.source).toBe(training.source.description);
    expect(warnings).toContain(
      'warning: training the 32-bit hasher on only 30 images; it needs about 4800 of this kind',
    );
    const report = await hashAndReport(
      arguments_,
      data.source,
      data.transform,
      hasher,
      out,
      new AbortController().signal,
    );
    expect(report.counts.hashed).toBe(31);
  });

  it('says loudly when a report drops more than --max-drop-share, draws the largest groups, and records it', async () => {
    const copies = join(folder, 'many-copies');
    await mkdir(copies, { recursive: true });
    const mnist = await openMnistPackage({ limitPerClass: 2 });
    for (let index = 0; index < 20; index += 1) {
      const png = await encodePng(await applyTransform((await mnist.readItem(index)).payload, []));
      await writeFile(join(copies, `digit-${String(index).padStart(2, '0')}.png`), png);
      if (index < 3) await writeFile(join(copies, `digit-${String(index).padStart(2, '0')}-copy.png`), png);
    }
    const out = join(folder, 'guarded');
    // The same run twice: with a lenient drop limit, then with the default 5%.
    const runArguments = [
      'run',
      '--data',
      copies,
      '--out',
      out,
      '--image-size',
      '16',
      '--channels',
      '1',
      '--code-bits',
      '32',
      '--epochs',
      '1',
      '--batch-size',
      '8',
    ];
    const arguments_ = parseDedupArguments([...runArguments, '--max-drop-share', '0.5']);
    await createOutputFolders(arguments_);
    const { source, transform } = await openHasherInput(arguments_, arguments_.data, arguments_.format);
    const hasher = await trainHasher(
      arguments_,
      source,
      transform,
      join(out, 'hasher.bin'),
      new AbortController().signal,
    );
    const lenient = await captureStderr(() =>
      hashAndReport(arguments_, source, transform, hasher, out, new AbortController().signal),
    );
    expect(lenient.result.guard).toEqual({
      maximumDropShare: 0.5,
      dropShare: lenient.result.counts.dropped / 23,
      exceeded: false,
    });
    expect(lenient.result.counts.dropped).toBeGreaterThanOrEqual(3); // the three copies at least
    expect(lenient.text).not.toContain('WARNING');
    const strict = parseDedupArguments(runArguments);
    const { result: report, text: captured } = await captureStderr(() =>
      hashAndReport(strict, source, transform, hasher, out, new AbortController().signal),
    );
    expect(report.guard?.exceeded).toBe(true);
    expect(captured).toContain(`WARNING: this report would drop ${report.counts.dropped} of 23 images`);
    expect(captured).toContain(`Contact sheet of the largest groups: ${join(out, 'largest-groups.png')}`);
    expect((await stat(join(out, 'largest-groups.png'))).size).toBeGreaterThan(100);
    expect((await readDedupReport(join(out, 'dedup-report.json'))).guard?.exceeded).toBe(true);
  });

  it('refuses a hasher file of the wrong shape for the data', async () => {
    const out = join(folder, 'wrong');
    await mkdir(out, { recursive: true });
    const arguments_ = parseDedupArguments([
      'train',
      '--hasher',
      join(out, 'h.bin'),
      '--image-size',
      '16',
      '--channels',
      '1',
      '--code-bits',
      '32',
      '--epochs',
      '1',
      '--batch-size',
      '8',
    ]);
    const source = await openImageFolder(join(folder, 'photos'));
    await trainHasher(
      arguments_,
      source,
      [resize(16), toGrayscale()],
      join(out, 'h.bin'),
      new AbortController().signal,
    );
    const bigger = parseDedupArguments([
      'train',
      '--hasher',
      join(out, 'h.bin'),
      '--image-size',
      '32',
      '--channels',
      '1',
      '--code-bits',
      '32',
      '--epochs',
      '2',
    ]);
    await expect(
      trainHasher(bigger, source, [resize(32), toGrayscale()], join(out, 'h.bin'), new AbortController().signal),
    ).rejects.toThrow(
      `${join(out, 'h.bin')}: the hasher has the wrong shape: imageWidth 16 (expected 32), imageHeight 16 (expected 32)`,
    );
  });
});
