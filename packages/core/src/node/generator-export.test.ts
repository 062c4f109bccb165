import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointError } from '../errors/checkpoint-error';
import { createGenerator } from '../model/generator';
import { generate } from '../sampling/generate';
import { sampleLatent } from '../sampling/sample-latent';
import { useCpuBackend } from '../test-support/cpu-backend';
import { exportGenerator, loadGenerator } from './generator-export';

let root: string;
const config = { imageSize: 16, channels: 3, baseWidth: 8, latentDim: 20 } as const;

beforeAll(async () => {
  await useCpuBackend();
  root = await mkdtemp(join(tmpdir(), 'dcgan-core-export-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('exportGenerator / loadGenerator', () => {
  it('round-trips the generator: same images from the same z', async () => {
    const generator = createGenerator(config, { seed: 9 });
    const directory = join(root, 'round-trip');
    const exported = await exportGenerator(directory, generator);
    expect((await readdir(directory)).sort()).toEqual(['model.json', 'weights.bin']);
    expect(exported.bytes).toBe((await readFile(exported.weightsPath)).byteLength);

    const loaded = await loadGenerator(directory);
    const z = sampleLatent(6, 20, 2);
    const expected = generate(generator, z);
    const actual = generate(loaded, z);
    expect(Array.from(actual.dataSync())).toEqual(Array.from(expected.dataSync()));
    expect(loaded.layers.map((layer) => layer.name)).toEqual(generator.layers.map((layer) => layer.name));
    tf.dispose([z, expected, actual]);
    generator.dispose();
    loaded.dispose();
  });

  it("loads through tfjs's own HTTP loader, as a browser would", async () => {
    const generator = createGenerator(config, { seed: 10 });
    const directory = join(root, 'browser');
    await exportGenerator(directory, generator);
    const requested: string[] = [];
    const fetchFunc = async (input: RequestInfo | URL): Promise<Response> => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      requested.push(url);
      const path = join(directory, new URL(url).pathname.replace(/^\/models\//, ''));
      return new Response(await readFile(path), { status: 200 });
    };
    const loaded = await tfl.loadLayersModel(tf.io.http('https://example.test/models/model.json', { fetchFunc }));
    expect(requested).toEqual(['https://example.test/models/model.json', 'https://example.test/models/weights.bin']);
    const z = sampleLatent(3, 20, 5);
    const expected = generate(generator, z);
    const actual = generate(loaded, z);
    expect(Array.from(actual.dataSync())).toEqual(Array.from(expected.dataSync()));
    tf.dispose([z, expected, actual]);
    generator.dispose();
    loaded.dispose();
  });

  it('replaces an earlier export and refuses a directory holding other files', async () => {
    const directory = join(root, 'replace');
    const first = createGenerator(config, { seed: 1 });
    const second = createGenerator(config, { seed: 2 });
    await exportGenerator(directory, first);
    await exportGenerator(directory, second);
    const loaded = await loadGenerator(directory);
    const z = sampleLatent(2, 20, 3);
    const expected = generate(second, z);
    const actual = generate(loaded, z);
    expect(Array.from(actual.dataSync())).toEqual(Array.from(expected.dataSync()));
    expect((await readdir(root)).filter((name) => name.startsWith('.replace'))).toEqual([]);

    const crowded = join(root, 'crowded');
    await mkdir(crowded);
    await writeFile(join(crowded, 'notes.txt'), 'mine');
    const error = await exportGenerator(crowded, first).catch((caught: unknown) => caught);
    expect(CheckpointError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(
      `${crowded}: refusing to replace a directory that holds other files (notes.txt)`,
    );
    expect(await readdir(crowded)).toEqual(['notes.txt']);
    tf.dispose([z, expected, actual]);
    for (const model of [first, second, loaded]) model.dispose();
  });

  it('names the file when an export is missing or damaged', async () => {
    const missing = join(root, 'missing');
    await expect(loadGenerator(missing)).rejects.toThrow(`${join(missing, 'model.json')}: does not exist`);

    const directory = join(root, 'damaged');
    const generator = createGenerator(config);
    await exportGenerator(directory, generator);
    const weightsPath = join(directory, 'weights.bin');
    const bytes = await readFile(weightsPath);
    await writeFile(weightsPath, bytes.subarray(0, 100));
    await expect(loadGenerator(directory)).rejects.toThrow(
      `${directory}: weights hold 100 bytes, ${join(directory, 'model.json')} describes ${bytes.byteLength} (truncated or mismatched)`,
    );
    await rm(weightsPath);
    await expect(loadGenerator(directory)).rejects.toThrow(
      `${weightsPath}: missing (named by ${join(directory, 'model.json')})`,
    );
    await writeFile(join(directory, 'model.json'), '{"modelTopology": ');
    await expect(loadGenerator(directory)).rejects.toThrow(/model\.json: not valid JSON/);
    generator.dispose();
  });
});
