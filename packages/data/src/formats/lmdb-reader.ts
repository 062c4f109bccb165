import { stat } from 'node:fs/promises';
import { join } from 'node:path';

import { DataError } from '../errors/data-error';
import { BinaryFile, viewOf } from '../io/binary-file';

// LMDB 0.9 on-disk layout (64-bit, little-endian), the format of py-lmdb and of the LSUN release.
const pageHeaderBytes = 16;
const nodeHeaderBytes = 8;
const magic = 0xbeefc0de;
const invalidPage = 2 ** 64 - 1;
const pageFlags = { branch: 0x01, leaf: 0x02, overflow: 0x04, meta: 0x08, leaf2: 0x20, subpage: 0x40 } as const;
const nodeFlags = { bigData: 0x01, subData: 0x02, duplicateData: 0x04 } as const;
const databaseFlags = { duplicateSort: 0x04 } as const;

/** One key/value pair of an LMDB database. */
export interface LmdbEntry {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}

/** Options of {@link LmdbReader.open}. */
export interface LmdbReaderOptions {
  /** A named database (py-lmdb's `env.open_db(b'name')`). @default the main (unnamed) database */
  readonly database?: string;
  /** Leaf pages kept in memory for sequential reads. @default 64 */
  readonly cachedPages?: number;
}

interface DatabaseRecord {
  readonly flags: number;
  readonly depth: number;
  readonly entries: number;
  readonly root: number;
}

function readUint64(view: DataView, offset: number): number {
  const low = view.getUint32(offset, true);
  const high = view.getUint32(offset + 4, true);
  return high * 4294967296 + low;
}

function parseDatabaseRecord(view: DataView, offset: number): DatabaseRecord {
  return {
    flags: view.getUint16(offset + 4, true),
    depth: view.getUint16(offset + 6, true),
    entries: readUint64(view, offset + 32),
    root: readUint64(view, offset + 40),
  };
}

/**
 * A read-only reader of LMDB databases in LMDB 0.9's data format (version 1: py-lmdb, the C library's `mdb_*`
 * tools, Caffe, the LSUN release), written in TypeScript: no native code, so a damaged file gives a `DataError`
 * naming the file and the problem, never a crash. Entries are addressable by position (0..count-1, key order)
 * through an index of leaf pages built at open time (about 12 bytes per leaf page: a few hundred KB for LSUN
 * bedrooms' 3 million entries). Duplicate-sorted databases are not supported.
 *
 * Why not the `lmdb` npm package: lmdb-js 3.x writes and expects LMDB's newer data format and crashes the process
 * on version-1 files such as LSUN's.
 *
 * @example
 * const reader = await LmdbReader.open('bedroom_train_lmdb');
 * for await (const { key, value } of reader.entries()) console.log(new TextDecoder().decode(key), value.length);
 * await reader.close();
 */
export class LmdbReader {
  private readonly cache = new Map<number, DataView>();

  private constructor(
    private readonly file: BinaryFile,
    readonly pageSize: number,
    private readonly pageCount: number,
    /** Leaf page numbers in key order. */
    private readonly leafPages: Float64Array,
    /** First entry index of each leaf page, plus the total at the end. */
    private readonly leafStarts: Float64Array,
    private readonly cachedPages: number,
  ) {}

  /** Path of the data file (`data.mdb` inside a directory environment). */
  get path(): string {
    return this.file.path;
  }

  /** Number of entries. */
  get count(): number {
    return this.leafStarts[this.leafStarts.length - 1]!;
  }

  /**
   * Opens an environment directory (holding `data.mdb`) or a single-file environment (`subdir=False`).
   */
  static async open(path: string, options: LmdbReaderOptions = {}): Promise<LmdbReader> {
    let dataPath = path;
    try {
      if ((await stat(path)).isDirectory()) dataPath = join(path, 'data.mdb');
    } catch (error) {
      throw new DataError(`${path}: cannot read LMDB environment: ${(error as Error).message}`, {
        cause: error,
        file: path,
      });
    }
    const file = await BinaryFile.open(dataPath);
    try {
      return await LmdbReader.load(file, options);
    } catch (error) {
      await file.close();
      throw error;
    }
  }

  private static async load(file: BinaryFile, options: LmdbReaderOptions): Promise<LmdbReader> {
    const path = file.path;
    const fail = (problem: string): DataError => new DataError(`${path}: ${problem}`, { file: path });
    if (file.size < pageHeaderBytes + 136) throw fail(`${file.size} bytes is too small for an LMDB data file`);
    const first = viewOf(await file.read(0, pageHeaderBytes + 136, 'meta page 0'));
    const firstMagic = first.getUint32(16, true);
    if (firstMagic !== magic) {
      if (first.getUint32(16, false) === magic)
        throw fail('is a big-endian LMDB file; only little-endian files are supported');
      throw fail(`not an LMDB data file (magic 0x${firstMagic.toString(16)} where 0xbeefc0de was expected)`);
    }
    const version = first.getUint32(20, true);
    if (version !== 1) {
      throw fail(
        `LMDB data format version ${version} is not supported; expected version 1 (LMDB 0.9, py-lmdb); files written by lmdb-js 2+/3 use a newer format`,
      );
    }
    const pageSize = first.getUint32(40, true);
    if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) {
      throw fail(
        `meta page declares page size ${pageSize}, expected a power of two in 512..65536 (a 32-bit LMDB file?)`,
      );
    }
    if (file.size < 2 * pageSize)
      throw fail(`${file.size} bytes is smaller than the two meta pages (2 x ${pageSize}); the file is truncated`);
    const second = viewOf(await file.read(pageSize, pageHeaderBytes + 136, 'meta page 1'));
    const metas = [first, second].filter(
      (view) => view.getUint32(16, true) === magic && view.getUint32(20, true) === 1,
    );
    // The newer of the two meta pages is the last committed transaction.
    const meta = metas.reduce((best, view) => (readUint64(view, 16 + 128) > readUint64(best, 16 + 128) ? view : best));
    const pageCount = Math.floor(file.size / pageSize);
    const lastPage = readUint64(meta, 16 + 120);
    if (lastPage >= pageCount) {
      throw fail(
        `the meta page says the last used page is ${lastPage} but the file has only ${pageCount} pages of ${pageSize} bytes: the file is truncated`,
      );
    }
    const reader = new LmdbReader(
      file,
      pageSize,
      pageCount,
      new Float64Array(0),
      new Float64Array(1),
      Math.max(1, options.cachedPages ?? 64),
    );
    let database = parseDatabaseRecord(meta, 16 + 72);
    if (options.database !== undefined) database = await reader.findNamedDatabase(database, options.database);
    if ((database.flags & databaseFlags.duplicateSort) !== 0)
      throw fail('the database is duplicate-sorted (MDB_DUPSORT), which is not supported');
    const { leafPages, leafStarts } = await reader.indexLeaves(database);
    return new LmdbReader(file, pageSize, pageCount, leafPages, leafStarts, reader.cachedPages);
  }

  private fail(problem: string): DataError {
    return new DataError(`${this.path}: ${problem}`, { file: this.path });
  }

  private async readPage(page: number, what: string): Promise<DataView> {
    const cached = this.cache.get(page);
    if (cached !== undefined) {
      this.cache.delete(page);
      this.cache.set(page, cached);
      return cached;
    }
    if (!Number.isSafeInteger(page) || page < 2 || page >= this.pageCount) {
      throw this.fail(
        `${what} points to page ${page}, outside the file's data pages 2..${this.pageCount - 1} (truncated or corrupt)`,
      );
    }
    const view = viewOf(await this.file.read(page * this.pageSize, this.pageSize, `page ${page}`));
    this.cache.set(page, view);
    if (this.cache.size > this.cachedPages) this.cache.delete(this.cache.keys().next().value!);
    return view;
  }

  /** The node offsets of a branch or leaf page, validated. */
  private nodeOffsets(view: DataView, page: number): number[] {
    const lower = view.getUint16(12, true);
    const upper = view.getUint16(14, true);
    if (lower < pageHeaderBytes || upper > this.pageSize || lower > upper || (lower - pageHeaderBytes) % 2 !== 0) {
      throw this.fail(`page ${page} has an invalid free-space range (lower ${lower}, upper ${upper})`);
    }
    const offsets: number[] = [];
    for (let position = pageHeaderBytes; position < lower; position += 2) {
      const offset = view.getUint16(position, true);
      if (offset < upper || offset + nodeHeaderBytes > this.pageSize)
        throw this.fail(`page ${page} has a node at offset ${offset}, outside its node area`);
      offsets.push(offset);
    }
    return offsets;
  }

  private nodeKey(
    view: DataView,
    page: number,
    offset: number,
  ): { flags: number; keyBytes: number; dataBytes: number; keyStart: number } {
    const dataBytes = view.getUint16(offset, true) + view.getUint16(offset + 2, true) * 65536;
    const flags = view.getUint16(offset + 4, true);
    const keyBytes = view.getUint16(offset + 6, true);
    const keyStart = offset + nodeHeaderBytes;
    if (keyStart + keyBytes > this.pageSize) throw this.fail(`page ${page} has a key running past the end of the page`);
    return { flags, keyBytes, dataBytes, keyStart };
  }

  private pageType(view: DataView, page: number, expected: 'branch' | 'leaf' | 'any'): 'branch' | 'leaf' {
    const flags = view.getUint16(10, true);
    const number = readUint64(view, 0);
    if (number !== page) throw this.fail(`page ${page} carries page number ${number}: the file is corrupt`);
    if ((flags & pageFlags.leaf2) !== 0 || (flags & pageFlags.subpage) !== 0)
      throw this.fail(`page ${page} is a duplicate-data page, which is not supported`);
    const type = (flags & pageFlags.branch) !== 0 ? 'branch' : (flags & pageFlags.leaf) !== 0 ? 'leaf' : undefined;
    if (type === undefined || (expected !== 'any' && type !== expected)) {
      throw this.fail(
        `page ${page} has flags 0x${flags.toString(16)}, expected a ${expected === 'any' ? 'branch or leaf' : expected} page: the file is corrupt`,
      );
    }
    return type;
  }

  private async findNamedDatabase(main: DatabaseRecord, name: string): Promise<DatabaseRecord> {
    const wanted = new TextEncoder().encode(name);
    const { leafPages } = await this.indexLeaves(main);
    for (const page of leafPages) {
      const view = await this.readPage(page, 'the main database');
      for (const offset of this.nodeOffsets(view, page)) {
        const node = this.nodeKey(view, page, offset);
        const key = new Uint8Array(view.buffer, view.byteOffset + node.keyStart, node.keyBytes);
        if (key.length === wanted.length && key.every((byte, index) => byte === wanted[index])) {
          if ((node.flags & nodeFlags.subData) === 0 || node.dataBytes !== 48)
            throw this.fail(`key \`${name}\` of the main database is not a named database`);
          if (node.keyStart + node.keyBytes + 48 > this.pageSize)
            throw this.fail(`the record of database \`${name}\` runs past its page`);
          return parseDatabaseRecord(view, node.keyStart + node.keyBytes);
        }
      }
    }
    throw this.fail(`has no named database \`${name}\``);
  }

  /** Walks the B+tree once, in key order, recording each leaf page and how many entries it holds. */
  private async indexLeaves(database: DatabaseRecord): Promise<{ leafPages: Float64Array; leafStarts: Float64Array }> {
    if (database.root === invalidPage || database.root >= 2 ** 53) {
      if (database.entries !== 0)
        throw this.fail(`the database records ${database.entries} entries but has no root page`);
      return { leafPages: new Float64Array(0), leafStarts: new Float64Array(1) };
    }
    const pages: number[] = [];
    const starts: number[] = [0];
    let total = 0;
    const visit = async (page: number, level: number): Promise<void> => {
      if (level > database.depth || level > 64)
        throw this.fail(`the tree is deeper than its recorded depth ${database.depth} (a page cycle?)`);
      if (pages.length > this.pageCount)
        throw this.fail('the tree has more leaves than the file has pages (a page cycle?)');
      if (level === database.depth) {
        // A leaf: only its header is needed to count the entries.
        if (!Number.isSafeInteger(page) || page < 2 || page >= this.pageCount) {
          throw this.fail(
            `the tree points to page ${page}, outside the file's data pages 2..${this.pageCount - 1} (truncated or corrupt)`,
          );
        }
        const header = viewOf(await this.file.read(page * this.pageSize, pageHeaderBytes, `page ${page}`));
        this.pageType(header, page, 'leaf');
        const lower = header.getUint16(12, true);
        if (lower < pageHeaderBytes || (lower - pageHeaderBytes) % 2 !== 0 || lower > this.pageSize)
          throw this.fail(`leaf page ${page} has an invalid header`);
        total += (lower - pageHeaderBytes) / 2;
        pages.push(page);
        starts.push(total);
        return;
      }
      const view = await this.readPage(page, 'the tree');
      this.pageType(view, page, 'branch');
      for (const offset of this.nodeOffsets(view, page)) {
        // A branch node's child page number is packed into the size and flags fields.
        const child =
          view.getUint16(offset, true) +
          view.getUint16(offset + 2, true) * 65536 +
          view.getUint16(offset + 4, true) * 4294967296;
        await visit(child, level + 1);
      }
    };
    await visit(database.root, 1);
    if (total !== database.entries)
      throw this.fail(
        `the database records ${database.entries} entries but its tree holds ${total}: the file is corrupt`,
      );
    return { leafPages: Float64Array.from(pages), leafStarts: Float64Array.from(starts) };
  }

  /** The entry at position `index` in key order. */
  async entryAt(index: number): Promise<LmdbEntry> {
    if (!Number.isInteger(index) || index < 0 || index >= this.count)
      throw new DataError(`Expected \`index\` to be an integer in 0..${this.count - 1}, got \`${index}\``);
    let low = 0;
    let high = this.leafPages.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.leafStarts[middle]! <= index) low = middle;
      else high = middle - 1;
    }
    return this.readEntry(this.leafPages[low]!, index - this.leafStarts[low]!);
  }

  private async readEntry(page: number, position: number): Promise<LmdbEntry> {
    const view = await this.readPage(page, 'the index');
    this.pageType(view, page, 'leaf');
    const offset = this.nodeOffsets(view, page)[position];
    if (offset === undefined) throw this.fail(`leaf page ${page} changed: it has no entry ${position}`);
    const node = this.nodeKey(view, page, offset);
    const key = new Uint8Array(view.buffer, view.byteOffset + node.keyStart, node.keyBytes).slice();
    const dataStart = node.keyStart + node.keyBytes;
    if ((node.flags & (nodeFlags.subData | nodeFlags.duplicateData)) !== 0)
      throw this.fail(`entry ${position} of page ${page} is a sub-database or duplicate set, not a value`);
    if ((node.flags & nodeFlags.bigData) === 0) {
      if (dataStart + node.dataBytes > this.pageSize)
        throw this.fail(`entry ${position} of page ${page} has a value running past the end of the page`);
      return { key, value: new Uint8Array(view.buffer, view.byteOffset + dataStart, node.dataBytes).slice() };
    }
    if (dataStart + 8 > this.pageSize)
      throw this.fail(`entry ${position} of page ${page} has an overflow pointer running past the end of the page`);
    const overflowPage = readUint64(view, dataStart);
    if (!Number.isSafeInteger(overflowPage) || overflowPage < 2 || overflowPage >= this.pageCount) {
      throw this.fail(
        `entry ${position} of page ${page} points to overflow page ${overflowPage}, outside the file (truncated or corrupt)`,
      );
    }
    const start = overflowPage * this.pageSize;
    const header = viewOf(await this.file.read(start, pageHeaderBytes, `overflow page ${overflowPage}`));
    const flags = header.getUint16(10, true);
    const spanned = header.getUint32(12, true);
    if ((flags & pageFlags.overflow) === 0)
      throw this.fail(`page ${overflowPage} should be an overflow page (flags 0x${flags.toString(16)})`);
    if (spanned * this.pageSize < pageHeaderBytes + node.dataBytes)
      throw this.fail(
        `overflow page ${overflowPage} spans ${spanned} pages, too few for a ${node.dataBytes}-byte value`,
      );
    if (start + pageHeaderBytes + node.dataBytes > this.file.size) {
      throw this.fail(
        `the ${node.dataBytes}-byte value on overflow page ${overflowPage} runs past the end of the file (truncated)`,
      );
    }
    return {
      key,
      value: await this.file.read(
        start + pageHeaderBytes,
        node.dataBytes,
        `the value on overflow page ${overflowPage}`,
      ),
    };
  }

  /** Every entry in key order. */
  async *entries(): AsyncGenerator<LmdbEntry> {
    for (let leaf = 0; leaf < this.leafPages.length; leaf += 1) {
      const count = this.leafStarts[leaf + 1]! - this.leafStarts[leaf]!;
      for (let position = 0; position < count; position += 1)
        yield await this.readEntry(this.leafPages[leaf]!, position);
    }
  }

  async close(): Promise<void> {
    this.cache.clear();
    await this.file.close();
  }
}
