import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

import { writeFileAtomic } from '@dcgan/data';

import { DedupError } from '../errors/dedup-error';

/** What a hash directory was made with; a resumed run must match it. */
export interface HashStoreManifest {
  readonly format: 'dcgan-dedup-hashes';
  readonly version: 2;
  readonly hasherKind: string;
  readonly fingerprint: string;
  readonly codeBits: number;
  readonly shiftProbes: number;
  readonly probesPerItem: number;
  readonly chunkSize: number;
  readonly sourceDescription: string;
  readonly sourceLength: number | null;
  readonly transform: unknown;
  /** Side of the verification thumbnails stored after the codes (0: none). */
  readonly thumbnailSize: number;
  /** Channels of the thumbnails (the hasher input's). */
  readonly thumbnailChannels: number;
  /** Present in a shard's store only: the shard it holds (items are source positions `p` with `p mod count === index`). */
  readonly shard?: { readonly index: number; readonly count: number };
}

/** One finished chunk: `itemsRead` consecutive source items from `firstItem`, of which `indices.length` were hashed. */
export interface HashChunk {
  readonly chunk: number;
  readonly firstItem: number;
  readonly itemsRead: number;
  readonly indices: readonly number[];
  readonly keys: readonly string[];
  readonly skipped: readonly { readonly index: number; readonly key: string; readonly reason: string }[];
  /** Codes of the hashed items, then their probe codes (item-major), then their thumbnails. */
  readonly codes: Uint8Array;
}

const manifestName = 'manifest.json';
const chunkName = (chunk: number, extension: string) => `chunk-${String(chunk).padStart(6, '0')}.${extension}`;

/**
 * A folder of finished hash chunks. Each chunk's codes are written first and its JSON (the commit mark) last, both
 * atomically, so a crash loses at most the chunk in progress.
 */
export class HashStore {
  private constructor(
    readonly directory: string,
    readonly manifest: HashStoreManifest,
  ) {}

  /**
   * Opens (or creates) the store for `manifest`. An existing store made with anything else (another hasher, source,
   * chunk size, probes) is refused with an error naming its manifest, unless `restart` clears it.
   */
  static async open(directory: string, manifest: HashStoreManifest, restart: boolean): Promise<HashStore> {
    const manifestPath = join(directory, manifestName);
    try {
      await mkdir(directory, { recursive: true });
    } catch (error) {
      throw new DedupError(`${directory}: cannot create the hash folder: ${(error as Error).message}`, {
        cause: error,
        file: directory,
      });
    }
    if (restart) await clearChunks(directory);
    let existing: Partial<HashStoreManifest> | undefined;
    try {
      existing = JSON.parse(await readFile(manifestPath, 'utf8')) as Partial<HashStoreManifest>;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new DedupError(
          `${manifestPath}: cannot read the hash manifest (${(error as Error).message}); delete the folder or pass \`restart\``,
          { cause: error, file: manifestPath },
        );
      }
    }
    if (existing !== undefined) {
      const differences = (Object.keys(manifest) as (keyof HashStoreManifest)[])
        .filter((key) => JSON.stringify(existing[key]) !== JSON.stringify(manifest[key]))
        .map((key) => `${key} ${JSON.stringify(existing[key])} here, ${JSON.stringify(manifest[key])} now`);
      if (differences.length > 0) {
        throw new DedupError(
          `${manifestPath}: these hashes were made differently, so they cannot be resumed: ${differences.join('; ')}. Use another folder or restart`,
          { file: manifestPath },
        );
      }
    } else {
      await clearChunks(directory);
      await writeFileAtomic(manifestPath, new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`));
    }
    return new HashStore(directory, manifest);
  }

  /** The finished chunks, in order, up to the first missing or damaged one. */
  async readChunks(): Promise<HashChunk[]> {
    const codeBytes = Math.ceil(this.manifest.codeBits / 8);
    const chunks: HashChunk[] = [];
    let firstItem = 0;
    for (let chunk = 0; ; chunk += 1) {
      let meta: Omit<HashChunk, 'codes'>;
      let codes: Uint8Array;
      try {
        meta = JSON.parse(await readFile(join(this.directory, chunkName(chunk, 'json')), 'utf8')) as Omit<
          HashChunk,
          'codes'
        >;
        codes = new Uint8Array(await readFile(join(this.directory, chunkName(chunk, 'codes'))));
      } catch {
        break;
      }
      const thumbnailBytes = this.manifest.thumbnailSize ** 2 * this.manifest.thumbnailChannels;
      const expectedBytes = meta.indices?.length * (codeBytes * (1 + this.manifest.probesPerItem) + thumbnailBytes);
      if (
        meta.chunk !== chunk ||
        meta.firstItem !== firstItem ||
        codes.length !== expectedBytes ||
        meta.keys?.length !== meta.indices.length
      )
        break;
      chunks.push({ ...meta, codes });
      firstItem += meta.itemsRead;
    }
    return chunks;
  }

  async writeChunk(chunk: HashChunk): Promise<string> {
    const jsonPath = join(this.directory, chunkName(chunk.chunk, 'json'));
    await writeFileAtomic(join(this.directory, chunkName(chunk.chunk, 'codes')), chunk.codes);
    const { codes: _codes, ...meta } = chunk;
    await writeFileAtomic(jsonPath, new TextEncoder().encode(JSON.stringify(meta)));
    return jsonPath;
  }
}

async function clearChunks(directory: string): Promise<void> {
  const names = await readdir(directory).catch(() => [] as string[]);
  await Promise.all(
    names
      .filter((name) => /^chunk-\d+\.(json|codes)$/.test(name) || name === manifestName)
      .map((name) => rm(join(directory, name), { force: true })),
  );
}
