import { mkdir, readFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { join } from 'node:path';

import { writeFileAtomic } from '@dcgan/common/node';

import { ProbeError } from '../errors/probe-error';
import { FeatureMatrix } from '../svm/feature-matrix';
import { decodeFloat16, encodeFloat16 } from './float16';

/** On-disk element type of stored features. */
export type FeatureStorageType = 'float16' | 'float32';

/** One finished chunk of a feature store. */
export interface FeatureChunkRecord {
  /** Feature file, relative to the store directory. */
  readonly file: string;
  /** Labels, keys and skips of the chunk's rows, relative to the store directory. */
  readonly metadataFile: string;
  /** Selection items `[start, end)` the chunk covers (rows are the decodable ones among them). */
  readonly start: number;
  readonly end: number;
  readonly rows: number;
}

/** `manifest.json` of a feature store: what was extracted, from what, and which chunks are finished. */
export interface FeatureStoreManifest {
  readonly format: 'dcgan-probe-features';
  readonly version: 1;
  readonly extractor: string;
  /** Must match the extractor that resumes or reads the store. */
  readonly fingerprint: string;
  /** Identifies the selection of images (source description, item count, hash of the indices). */
  readonly selection: string;
  readonly dimension: number;
  readonly storage: FeatureStorageType;
  /** Items per chunk. */
  readonly chunkItems: number;
  readonly totalItems: number;
  readonly chunks: readonly FeatureChunkRecord[];
  readonly complete: boolean;
}

/** Metadata of one chunk. */
export interface FeatureChunkMetadata {
  readonly labels: number[];
  readonly keys: string[];
  /** Position of each row in the selection. */
  readonly positions: number[];
  readonly skipped: ReadonlyArray<{ readonly key: string; readonly reason: string }>;
}

const manifestName = 'manifest.json';

function checkEndianness(): void {
  if (endianness() !== 'LE') throw new ProbeError('Feature stores are little-endian; this machine is big-endian');
}

/** Reads `manifest.json` of a store, or `undefined` where there is none. */
export async function readFeatureStoreManifest(directory: string): Promise<FeatureStoreManifest | undefined> {
  const path = join(directory, manifestName);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ProbeError(`${path}: cannot read the feature store manifest: ${(error as Error).message}`, {
      cause: error,
      file: path,
    });
  }
  let manifest: FeatureStoreManifest;
  try {
    manifest = JSON.parse(text) as FeatureStoreManifest;
  } catch (error) {
    throw new ProbeError(`${path}: the feature store manifest is not valid JSON: ${(error as Error).message}`, {
      cause: error,
      file: path,
    });
  }
  if (manifest?.format !== 'dcgan-probe-features' || manifest.version !== 1 || !Array.isArray(manifest.chunks)) {
    throw new ProbeError(`${path}: not a version-1 dcgan-probe feature store manifest`, { file: path });
  }
  if (
    !Number.isInteger(manifest.dimension) ||
    manifest.dimension < 1 ||
    (manifest.storage !== 'float16' && manifest.storage !== 'float32')
  ) {
    throw new ProbeError(`${path}: expected a positive integer \`dimension\` and \`storage\` float16 or float32`, {
      file: path,
    });
  }
  return manifest;
}

/** Writes a store's manifest (atomically). */
export async function writeFeatureStoreManifest(directory: string, manifest: FeatureStoreManifest): Promise<void> {
  await mkdir(directory, { recursive: true });
  await writeFileAtomic(join(directory, manifestName), `${JSON.stringify(manifest, null, 1)}\n`);
}

/** Writes one chunk's features (row-major) and metadata; returns its record for the manifest. */
export async function writeFeatureChunk(
  directory: string,
  index: number,
  storage: FeatureStorageType,
  rows: readonly Float32Array[],
  metadata: FeatureChunkMetadata,
  start: number,
  end: number,
): Promise<FeatureChunkRecord> {
  checkEndianness();
  await mkdir(directory, { recursive: true });
  const stem = `chunk-${String(index).padStart(5, '0')}`;
  const file = `${stem}.${storage === 'float16' ? 'f16' : 'f32'}`;
  const metadataFile = `${stem}.json`;
  const dimension = rows[0]?.length ?? 0;
  let bytes: Uint8Array;
  if (storage === 'float16') {
    const encoded = new Uint16Array(rows.length * dimension);
    rows.forEach((row, position) =>
      encodeFloat16(row, encoded.subarray(position * dimension, (position + 1) * dimension)),
    );
    bytes = new Uint8Array(encoded.buffer);
  } else {
    const values = new Float32Array(rows.length * dimension);
    rows.forEach((row, position) => values.set(row, position * dimension));
    bytes = new Uint8Array(values.buffer);
  }
  await writeFileAtomic(join(directory, file), bytes);
  await writeFileAtomic(join(directory, metadataFile), `${JSON.stringify(metadata)}\n`);
  return { file, metadataFile, start, end, rows: rows.length };
}

/** Features, labels and keys read from a store (or just extracted). */
export interface StoredFeatures {
  readonly features: FeatureMatrix;
  readonly labels: Int32Array;
  readonly keys: readonly string[];
  /** Position of each row in the selection it was extracted from. */
  readonly positions: Int32Array;
  readonly skipped: ReadonlyArray<{ readonly key: string; readonly reason: string }>;
}

/**
 * Reads a complete feature store into memory as float32 (a 50,000 x 28,672 float16 store takes 2.7 GiB on
 * disk and 5.3 GiB in memory). Chunk files are checked against the manifest.
 *
 * @example
 * ```ts
 * const { features, labels } = await readFeatureStore('runs/probe/features-discriminator-train');
 * ```
 */
export async function readFeatureStore(
  directory: string,
  options: { readonly allowIncomplete?: boolean } = {},
): Promise<StoredFeatures> {
  checkEndianness();
  const manifest = await readFeatureStoreManifest(directory);
  if (manifest === undefined)
    throw new ProbeError(`${join(directory, manifestName)}: no feature store here`, {
      file: join(directory, manifestName),
    });
  if (!manifest.complete && options.allowIncomplete !== true) {
    throw new ProbeError(
      `${directory}: the feature store is incomplete (${manifest.chunks.length} chunks written); run the extraction again to finish it`,
      {
        file: directory,
      },
    );
  }
  return readChunks(directory, manifest, manifest.chunks);
}

/** Reads the given chunks of a store. */
export async function readChunks(
  directory: string,
  manifest: FeatureStoreManifest,
  chunks: readonly FeatureChunkRecord[],
): Promise<StoredFeatures> {
  const rowCount = chunks.reduce((sum, chunk) => sum + chunk.rows, 0);
  const features = FeatureMatrix.allocate(rowCount, manifest.dimension);
  const labels = new Int32Array(rowCount);
  const positions = new Int32Array(rowCount);
  const keys: string[] = [];
  const skipped: Array<{ key: string; reason: string }> = [];
  let row = 0;
  for (const chunk of chunks) {
    const path = join(directory, chunk.file);
    const metadataPath = join(directory, chunk.metadataFile);
    let bytes: Buffer;
    let metadata: FeatureChunkMetadata;
    try {
      bytes = await readFile(path);
      metadata = JSON.parse(await readFile(metadataPath, 'utf8')) as FeatureChunkMetadata;
    } catch (error) {
      throw new ProbeError(`${path}: cannot read feature chunk: ${(error as Error).message}`, {
        cause: error,
        file: path,
      });
    }
    const width = manifest.storage === 'float16' ? 2 : 4;
    if (bytes.byteLength !== chunk.rows * manifest.dimension * width) {
      throw new ProbeError(
        `${path}: expected ${chunk.rows} x ${manifest.dimension} ${manifest.storage} values (${chunk.rows * manifest.dimension * width} bytes), got ${bytes.byteLength} bytes`,
        { file: path },
      );
    }
    if (
      !Array.isArray(metadata.labels) ||
      metadata.labels.length !== chunk.rows ||
      metadata.keys?.length !== chunk.rows ||
      metadata.positions?.length !== chunk.rows
    ) {
      throw new ProbeError(`${metadataPath}: expected ${chunk.rows} labels, keys and positions`, {
        file: metadataPath,
      });
    }
    // Copy into an aligned buffer: a Buffer from readFile may start at an odd offset.
    const aligned = new Uint8Array(bytes.byteLength);
    aligned.set(bytes);
    for (let position = 0; position < chunk.rows; position++, row++) {
      const target = features.row(row);
      if (manifest.storage === 'float16') {
        decodeFloat16(new Uint16Array(aligned.buffer, position * manifest.dimension * 2, manifest.dimension), target);
      } else {
        target.set(new Float32Array(aligned.buffer, position * manifest.dimension * 4, manifest.dimension));
      }
      labels[row] = metadata.labels[position]!;
      positions[row] = metadata.positions[position]!;
      keys.push(metadata.keys[position]!);
    }
    skipped.push(...metadata.skipped);
  }
  return { features, labels, keys, positions, skipped };
}
