import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import { DedupError } from '../errors/dedup-error';
import { useCpuBackend } from '../test-support/cpu-backend';
import { mnistSamples } from '../test-support/mnist-samples';
import { hasherFileMagic, loadSemanticHasher, saveSemanticHasher } from './hasher-file';
import { SemanticHasher } from './semantic-hasher';

const architecture = {
  imageWidth: 16,
  imageHeight: 16,
  channels: 1 as const,
  codeBits: 32,
  threshold: 0.05,
  encoderBias: true,
  inputNormalisation: 'standardise' as const,
};
/** A fixed, non-zero input mean, so that the round trip is seen to keep it. */
const inputMean = Float32Array.from({ length: 256 }, (_, index) => Math.sin(index) / 4);

function goodHasher(): SemanticHasher {
  const hasher = SemanticHasher.create({ architecture, seed: 2, training: { epochs: 3 } });
  hasher.setInputMean(inputMean);
  return hasher;
}

let directory: string;
let goodFile: string;
let goodBytes: Uint8Array;

beforeAll(async () => {
  await useCpuBackend();
  directory = await mkdtemp(join(tmpdir(), 'dedup-hasher-file-'));
  goodFile = join(directory, 'good.bin');
  const hasher = goodHasher();
  await saveSemanticHasher(goodFile, hasher);
  hasher.dispose();
  goodBytes = new Uint8Array(await readFile(goodFile));
});

async function variant(name: string, edit: (bytes: Uint8Array) => Uint8Array): Promise<string> {
  const path = join(directory, name);
  await writeFile(path, edit(goodBytes.slice()));
  return path;
}

// biome-ignore lint/suspicious/noExplicitAny: the tests edit arbitrary fields of the file's JSON header.
type Header = Record<string, any>;

function withHeader(bytes: Uint8Array, edit: (header: Header) => void): Uint8Array {
  const view = new DataView(bytes.buffer);
  const length = view.getUint32(12, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + length))) as Header;
  edit(header);
  const encoded = new TextEncoder().encode(JSON.stringify(header));
  const result = new Uint8Array(16 + encoded.length + bytes.length - 16 - length);
  result.set(bytes.subarray(0, 16));
  new DataView(result.buffer).setUint32(12, encoded.length, true);
  result.set(encoded, 16);
  result.set(bytes.subarray(16 + length), 16 + encoded.length);
  return result;
}

describe('saveSemanticHasher / loadSemanticHasher', () => {
  it('round-trips architecture, weights, training facts and codes', async () => {
    const original = goodHasher();
    const loaded = await loadSemanticHasher(goodFile, { imageWidth: 16, channels: 1 });
    expect(loaded.architecture).toEqual(architecture);
    expect(loaded.getWeights().inputMean).toEqual(inputMean);
    expect(loaded.training).toEqual({ epochs: 3 });
    expect(await loaded.fingerprint()).toBe(await original.fingerprint());
    const images = (await mnistSamples(1)).map((sample) => sample.image);
    expect(await loaded.hashImages(images)).toEqual(await original.hashImages(images));
    expect(new TextDecoder().decode(goodBytes.subarray(0, 8))).toBe(hasherFileMagic);
    original.dispose();
    loaded.dispose();
  });

  it.each([
    [
      'not-a-hasher.bin',
      (_bytes: Uint8Array) => new TextEncoder().encode('{"hello": "world"}'),
      /not-a-hasher\.bin: not a semantic hasher file/,
    ],
    [
      'version-9.bin',
      (bytes: Uint8Array) => {
        new DataView(bytes.buffer).setUint32(8, 9, true);
        return bytes;
      },
      /version-9\.bin: hasher file format version 9 is not supported; this @dcgan\/dedup reads versions 1 and 2/,
    ],
    [
      'truncated.bin',
      (bytes: Uint8Array) => bytes.subarray(0, bytes.length - 100),
      /truncated\.bin: holds \d+ bytes of weights, but a 256-32-256 autoencoder needs 67712 \(truncated or corrupt\)/,
    ],
    [
      'bad-header.bin',
      (bytes: Uint8Array) => {
        bytes[16] = 0x78;
        return bytes;
      },
      /bad-header\.bin: the header is not valid JSON/,
    ],
    [
      'wrong-shape.bin',
      (bytes: Uint8Array) =>
        withHeader(bytes, (header) => {
          header.weights[0].shape = [256, 64];
        }),
      /wrong-shape\.bin: weight 0 should be `encoderKernel` of shape \[256, 32\] for a 256-32-256 autoencoder, the header says `encoderKernel` \[256, 64\]/,
    ],
    [
      'bad-architecture.bin',
      (bytes: Uint8Array) =>
        withHeader(bytes, (header) => {
          header.architecture.channels = 2;
        }),
      /bad-architecture\.bin: Expected `channels` to be 1 or 3, got `2` \(header\)/,
    ],
    [
      'not-finite.bin',
      (bytes: Uint8Array) => {
        new DataView(bytes.buffer).setFloat32(bytes.length - 4, Number.NaN, true);
        return bytes;
      },
      /not-finite\.bin: weight `inputMean` holds a non-finite value \(NaN\) at position 255/,
    ],
  ])('refuses %s with an error naming the file', async (name, edit, message) => {
    const path = await variant(name, edit);
    const error = await loadSemanticHasher(path).catch((caught: unknown) => caught);
    expect(DedupError.isInstance(error)).toBe(true);
    expect((error as DedupError).file).toBe(path);
    expect((error as Error).message).toMatch(message);
  });

  it('reads a version 1 file (written before input normalisation) as a hasher without it, giving the same codes', async () => {
    const plain = SemanticHasher.create({ architecture: { ...architecture, inputNormalisation: 'none' }, seed: 4 });
    const path = join(directory, 'version-1.bin');
    await saveSemanticHasher(path, plain);
    const written = new Uint8Array(await readFile(path));
    const version1 = withHeader(written, (header) => {
      header.version = 1;
      delete header.architecture.inputNormalisation;
    });
    new DataView(version1.buffer).setUint32(8, 1, true);
    await writeFile(path, version1);
    const loaded = await loadSemanticHasher(path);
    expect(loaded.architecture.inputNormalisation).toBe('none');
    expect(loaded.getWeights().inputMean).toBeUndefined();
    expect(await loaded.fingerprint()).toBe(await plain.fingerprint());
    const images = (await mnistSamples(1)).map((sample) => sample.image);
    expect(await loaded.hashImages(images)).toEqual(await plain.hashImages(images));
    plain.dispose();
    loaded.dispose();
  });

  it('refuses a hasher of the wrong shape for the job', async () => {
    await expect(
      loadSemanticHasher(goodFile, { imageWidth: 32, imageHeight: 32, channels: 3, codeBits: 128 }),
    ).rejects.toThrow(
      `${goodFile}: the hasher has the wrong shape: imageWidth 16 (expected 32), imageHeight 16 (expected 32), channels 1 (expected 3), codeBits 32 (expected 128)`,
    );
  });

  it('names a missing file', async () => {
    await expect(loadSemanticHasher(join(directory, 'missing.bin'))).rejects.toThrow(
      /missing\.bin: cannot read the hasher file: ENOENT/,
    );
  });
});
