import { readFile } from 'node:fs/promises';

import { writeFileAtomic } from '@dcgan/data';

import { DedupError } from '../errors/dedup-error';
import { inputSizeOf, resolveArchitecture, type SemanticHasherArchitecture } from './semantic-hasher-architecture';
import { SemanticHasher, type SemanticHasherWeights } from './semantic-hasher';

/**
 * The hasher file: 8 magic bytes `DCGANSH\n`, a little-endian uint32 format version, a uint32 header length, a UTF-8
 * JSON header (architecture, weight shapes, training facts), then the float32 little-endian weights in header order.
 * Version 2 adds `inputNormalisation` to the architecture and, for `'standardise'`, a fifth array `inputMean`;
 * version 1 files (no normalisation) are still read.
 */
export const hasherFileMagic = 'DCGANSH\n';
/** Format version this package writes. */
export const hasherFileVersion = 2;
/** Format versions this package reads. */
const readableVersions = [1, 2];

type WeightName = 'encoderKernel' | 'encoderBias' | 'decoderKernel' | 'decoderBias' | 'inputMean';

function weightOrderOf(architecture: SemanticHasherArchitecture): readonly WeightName[] {
  const order: WeightName[] = ['encoderKernel', 'encoderBias', 'decoderKernel', 'decoderBias'];
  return architecture.inputNormalisation === 'standardise' ? [...order, 'inputMean'] : order;
}

interface HasherFileHeader {
  readonly format: 'dcgan-semantic-hasher';
  readonly version: number;
  readonly architecture: SemanticHasherArchitecture;
  readonly weights: readonly { readonly name: string; readonly shape: readonly number[] }[];
  readonly training: Readonly<Record<string, unknown>>;
}

/** What a loaded hasher must be like; a mismatch is refused with an error naming the file. */
export interface ExpectedHasher {
  readonly imageWidth?: number;
  readonly imageHeight?: number;
  readonly channels?: 1 | 3;
  readonly codeBits?: number;
}

/**
 * Writes the hasher (architecture, weights, training facts) to one file, atomically.
 *
 * @example
 * await saveSemanticHasher('runs/lsun/hasher.bin', hasher);
 */
export async function saveSemanticHasher(path: string, hasher: SemanticHasher): Promise<void> {
  const weights = await hasher.readWeights();
  const { inputSize, codeBits } = hasher;
  const weightOrder = weightOrderOf(hasher.architecture);
  const shapes: Record<WeightName, number[]> = {
    encoderKernel: [inputSize, codeBits],
    encoderBias: [codeBits],
    decoderKernel: [codeBits, inputSize],
    decoderBias: [inputSize],
    inputMean: [inputSize],
  };
  const header: HasherFileHeader = {
    format: 'dcgan-semantic-hasher',
    version: hasherFileVersion,
    architecture: hasher.architecture,
    weights: weightOrder.map((name) => ({ name, shape: shapes[name] })),
    training: hasher.training,
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const weightBytes = weightOrder.reduce((sum, name) => sum + weights[name]!.length * 4, 0);
  const bytes = new Uint8Array(16 + headerBytes.length + weightBytes);
  const view = new DataView(bytes.buffer);
  bytes.set(new TextEncoder().encode(hasherFileMagic), 0);
  view.setUint32(8, hasherFileVersion, true);
  view.setUint32(12, headerBytes.length, true);
  bytes.set(headerBytes, 16);
  let offset = 16 + headerBytes.length;
  for (const name of weightOrder) {
    for (const value of weights[name]!) {
      view.setFloat32(offset, value, true);
      offset += 4;
    }
  }
  await writeFileAtomic(path, bytes);
}

/**
 * Reads a hasher file written by {@link saveSemanticHasher}. A file that is not a hasher, was written by another
 * format version, is truncated, holds non-finite weights, or does not match `expected`, is refused with a
 * `DedupError` that names the file and what is wrong.
 *
 * @example
 * const hasher = await loadSemanticHasher('hasher.bin', { imageWidth: 32, imageHeight: 32, channels: 3 });
 */
export async function loadSemanticHasher(path: string, expected: ExpectedHasher = {}): Promise<SemanticHasher> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (error) {
    throw new DedupError(`${path}: cannot read the hasher file: ${(error as Error).message}`, {
      cause: error,
      file: path,
    });
  }
  const fail = (what: string): never => {
    throw new DedupError(`${path}: ${what}`, { file: path });
  };
  if (bytes.length < 16 || new TextDecoder().decode(bytes.subarray(0, 8)) !== hasherFileMagic) {
    fail(
      `not a semantic hasher file (it does not start with the bytes ${JSON.stringify(hasherFileMagic)}); write one with \`saveSemanticHasher\` or \`dcgan-dedup train\``,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (!readableVersions.includes(version)) {
    fail(
      `hasher file format version ${version} is not supported; this @dcgan/dedup reads versions ${readableVersions.join(' and ')}`,
    );
  }
  const headerLength = view.getUint32(12, true);
  if (16 + headerLength > bytes.length)
    fail(`truncated: the header claims ${headerLength} bytes but the file has ${bytes.length - 16} after the preamble`);
  let header: HasherFileHeader;
  try {
    header = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(16, 16 + headerLength)),
    ) as HasherFileHeader;
  } catch (error) {
    throw new DedupError(`${path}: the header is not valid JSON: ${(error as Error).message}`, {
      cause: error,
      file: path,
    });
  }
  if (header?.format !== 'dcgan-semantic-hasher' || header.version !== version)
    fail('the header does not describe a semantic hasher of this format version');
  let architecture: SemanticHasherArchitecture;
  try {
    // Version 1 predates input normalisation: its hashers take the [0, 1] values as they are.
    architecture = resolveArchitecture(
      version === 1 ? { ...header.architecture, inputNormalisation: 'none' } : header.architecture,
      'header',
    );
  } catch (error) {
    throw new DedupError(`${path}: ${(error as Error).message}`, { cause: error, file: path });
  }
  const inputSize = inputSizeOf(architecture);
  const { codeBits } = architecture;
  const weightOrder = weightOrderOf(architecture);
  const expectedShapes: Record<WeightName, number[]> = {
    encoderKernel: [inputSize, codeBits],
    encoderBias: [codeBits],
    decoderKernel: [codeBits, inputSize],
    decoderBias: [inputSize],
    inputMean: [inputSize],
  };
  weightOrder.forEach((name, index) => {
    const entry = header.weights?.[index];
    const shape = expectedShapes[name];
    if (entry?.name !== name || !Array.isArray(entry.shape) || entry.shape.join('x') !== shape.join('x')) {
      fail(
        `weight ${index} should be \`${name}\` of shape [${shape.join(', ')}] for a ${inputSize}-${codeBits}-${inputSize} autoencoder, ` +
          `the header says \`${String(entry?.name)}\` [${Array.isArray(entry?.shape) ? entry.shape.join(', ') : '?'}]`,
      );
    }
  });
  const valueCount = weightOrder.reduce(
    (sum, name) => sum + expectedShapes[name].reduce((product, size) => product * size, 1),
    0,
  );
  const dataStart = 16 + headerLength;
  if (bytes.length - dataStart !== valueCount * 4) {
    fail(
      `holds ${bytes.length - dataStart} bytes of weights, but a ${inputSize}-${codeBits}-${inputSize} autoencoder needs ${valueCount * 4} (truncated or corrupt)`,
    );
  }
  const mismatches = (['imageWidth', 'imageHeight', 'channels', 'codeBits'] as const)
    .filter((name) => expected[name] !== undefined && expected[name] !== architecture[name])
    .map((name) => `${name} ${architecture[name]} (expected ${String(expected[name])})`);
  if (mismatches.length > 0) fail(`the hasher has the wrong shape: ${mismatches.join(', ')}`);
  const weights: Partial<Record<WeightName, Float32Array>> = {};
  let offset = dataStart;
  for (const name of weightOrder) {
    const size = expectedShapes[name].reduce((product, value) => product * value, 1);
    const values = new Float32Array(size);
    for (let index = 0; index < size; index += 1) {
      const value = view.getFloat32(offset, true);
      if (!Number.isFinite(value)) fail(`weight \`${name}\` holds a non-finite value (${value}) at position ${index}`);
      values[index] = value;
      offset += 4;
    }
    weights[name] = values;
  }
  return SemanticHasher.create({
    architecture,
    weights: weights as SemanticHasherWeights,
    training: header.training ?? {},
  });
}
