import { createReadStream } from 'node:fs';
import { constants, createInflate, inflateSync } from 'node:zlib';

import { DataError } from '../errors/data-error';
import { BinaryFile, viewOf } from '../io/binary-file';

/** MATLAB array classes (mxCLASS). */
export type MatClass =
  | 'cell'
  | 'struct'
  | 'object'
  | 'char'
  | 'sparse'
  | 'double'
  | 'single'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64';

const classByCode: Record<number, MatClass> = {
  1: 'cell',
  2: 'struct',
  3: 'object',
  4: 'char',
  5: 'sparse',
  6: 'double',
  7: 'single',
  8: 'int8',
  9: 'uint8',
  10: 'int16',
  11: 'uint16',
  12: 'int32',
  13: 'uint32',
  14: 'int64',
  15: 'uint64',
};

interface StorageType {
  readonly name: string;
  readonly bytes: number;
  readonly get: (view: DataView, offset: number, littleEndian: boolean) => number;
}

const storageTypes: Record<number, StorageType> = {
  1: { name: 'miINT8', bytes: 1, get: (view, offset) => view.getInt8(offset) },
  2: { name: 'miUINT8', bytes: 1, get: (view, offset) => view.getUint8(offset) },
  3: { name: 'miINT16', bytes: 2, get: (view, offset, little) => view.getInt16(offset, little) },
  4: { name: 'miUINT16', bytes: 2, get: (view, offset, little) => view.getUint16(offset, little) },
  5: { name: 'miINT32', bytes: 4, get: (view, offset, little) => view.getInt32(offset, little) },
  6: { name: 'miUINT32', bytes: 4, get: (view, offset, little) => view.getUint32(offset, little) },
  7: { name: 'miSINGLE', bytes: 4, get: (view, offset, little) => view.getFloat32(offset, little) },
  9: { name: 'miDOUBLE', bytes: 8, get: (view, offset, little) => view.getFloat64(offset, little) },
  12: { name: 'miINT64', bytes: 8, get: (view, offset, little) => Number(view.getBigInt64(offset, little)) },
  13: { name: 'miUINT64', bytes: 8, get: (view, offset, little) => Number(view.getBigUint64(offset, little)) },
};

const miMATRIX = 14;
const miCOMPRESSED = 15;
const headerBytes = 128;

/** A variable of a MAT-file, as listed by {@link MatFile.variables}. */
export interface MatVariable {
  readonly name: string;
  readonly className: MatClass;
  /** MATLAB dimensions (column-major: the first index varies fastest in storage). */
  readonly dimensions: readonly number[];
  readonly complex: boolean;
  /** Stored in a zlib-compressed element (MATLAB's default since v7; scipy's `do_compression=True`). */
  readonly compressed: boolean;
  /** Storage type of the real part, e.g. `miUINT8`; undefined for non-numeric classes. */
  readonly storageType: string | undefined;
  /** Bytes of the real part's data. */
  readonly dataBytes: number;
}

interface VariableLocation {
  readonly variable: MatVariable;
  /** File offset of the variable's top-level element tag. */
  readonly elementOffset: number;
  readonly elementBytes: number;
  /** Offset of the real part's data: in the file (uncompressed) or in the inflated stream (compressed). */
  readonly dataOffset: number;
  readonly storageCode: number;
}

class Reader {
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    readonly littleEndian: boolean,
    readonly file: string,
    readonly what: string,
  ) {
    this.view = viewOf(bytes);
  }

  uint32(offset: number): number {
    if (offset + 4 > this.bytes.length) throw new NeedMoreBytes();
    return this.view.getUint32(offset, this.littleEndian);
  }

  int32(offset: number): number {
    if (offset + 4 > this.bytes.length) throw new NeedMoreBytes();
    return this.view.getInt32(offset, this.littleEndian);
  }

  /** A data element's tag at `offset`: normal (8-byte tag) or small (type and size packed in 4 bytes). */
  tag(offset: number): { type: number; size: number; dataStart: number; next: number } {
    const first = this.uint32(offset);
    if (first >>> 16 !== 0) {
      const size = first >>> 16;
      if (size > 4) throw this.error(`small data element at offset ${offset} claims ${size} bytes (at most 4)`);
      return { type: first & 0xffff, size, dataStart: offset + 4, next: offset + 8 };
    }
    const size = this.uint32(offset + 4);
    return { type: first, size, dataStart: offset + 8, next: offset + 8 + Math.ceil(size / 8) * 8 };
  }

  error(problem: string): DataError {
    return new DataError(`${this.file}: ${this.what}: ${problem}`, { file: this.file });
  }
}

class NeedMoreBytes extends Error {}

/** Parses the header sub-elements of a miMATRIX element whose tag is at `offset` of `reader.bytes`. */
function parseMatrixHeader(
  reader: Reader,
  offset: number,
  compressed: boolean,
): { variable: MatVariable; dataOffset: number; storageCode: number } {
  const matrix = reader.tag(offset);
  if (matrix.type !== miMATRIX) throw reader.error(`expected a miMATRIX (14) element, found data type ${matrix.type}`);
  const flags = reader.tag(matrix.dataStart);
  if (flags.type !== 6 || flags.size !== 8)
    throw reader.error(
      `expected the array-flags sub-element (miUINT32, 8 bytes), found type ${flags.type} of ${flags.size} bytes`,
    );
  const flagsWord = reader.uint32(flags.dataStart);
  const classCode = flagsWord & 0xff;
  const className = classByCode[classCode];
  if (className === undefined) throw reader.error(`unknown array class ${classCode}`);
  const complex = (flagsWord & 0x0800) !== 0;
  const dimensionsTag = reader.tag(flags.next);
  if (dimensionsTag.type !== 5 || dimensionsTag.size % 4 !== 0 || dimensionsTag.size < 8) {
    throw reader.error(
      `expected the dimensions sub-element (miINT32, at least 2 values), found type ${dimensionsTag.type} of ${dimensionsTag.size} bytes`,
    );
  }
  const dimensions: number[] = [];
  for (let position = 0; position < dimensionsTag.size; position += 4) {
    const size = reader.int32(dimensionsTag.dataStart + position);
    if (size < 0) throw reader.error(`negative dimension ${size}`);
    dimensions.push(size);
  }
  const nameTag = reader.tag(dimensionsTag.next);
  if (nameTag.type !== 1)
    throw reader.error(`expected the array-name sub-element (miINT8), found type ${nameTag.type}`);
  if (nameTag.dataStart + nameTag.size > reader.bytes.length) throw new NeedMoreBytes();
  const name = new TextDecoder('latin1').decode(
    reader.bytes.subarray(nameTag.dataStart, nameTag.dataStart + nameTag.size),
  );
  const numeric = classCode >= 6;
  if (!numeric) {
    return {
      variable: { name, className, dimensions, complex, compressed, storageType: undefined, dataBytes: 0 },
      dataOffset: -1,
      storageCode: 0,
    };
  }
  const real = reader.tag(nameTag.next);
  const storage = storageTypes[real.type];
  if (storage === undefined)
    throw reader.error(`variable \`${name}\` stores its data with unsupported type ${real.type}`);
  const count = dimensions.reduce((product, size) => product * size, 1);
  if (real.size !== count * storage.bytes) {
    throw reader.error(
      `variable \`${name}\` (${dimensions.join('x')} ${className}) should hold ${count} ${storage.name} values = ${count * storage.bytes} bytes, its data element holds ${real.size}`,
    );
  }
  return {
    variable: { name, className, dimensions, complex, compressed, storageType: storage.name, dataBytes: real.size },
    dataOffset: real.dataStart,
    storageCode: real.type,
  };
}

/**
 * A MATLAB level-5 MAT-file (what `save -v7` / `-v6` and scipy's `savemat` write; SVHN's `*_32x32.mat`), read
 * lazily: opening lists the variables (reading only headers); data is read or streamed per variable.
 * Compressed variables (zlib) are supported; MATLAB v7.3 (HDF5) and v4 files are rejected with a clear error.
 *
 * @example
 * const mat = await MatFile.open('train_32x32.mat');
 * mat.variables; // [{ name: 'X', className: 'uint8', dimensions: [32, 32, 3, 73257], ... }, { name: 'y', ... }]
 * const labels = await mat.readNumbers('y');
 * await mat.close();
 */
export class MatFile {
  private constructor(
    private readonly file: BinaryFile,
    readonly littleEndian: boolean,
    private readonly locations: readonly VariableLocation[],
  ) {}

  get path(): string {
    return this.file.path;
  }

  get variables(): readonly MatVariable[] {
    return this.locations.map((location) => location.variable);
  }

  static async open(path: string): Promise<MatFile> {
    const file = await BinaryFile.open(path);
    try {
      return new MatFile(file, ...(await MatFile.scan(file)));
    } catch (error) {
      await file.close();
      throw error;
    }
  }

  private static async scan(file: BinaryFile): Promise<[boolean, VariableLocation[]]> {
    const path = file.path;
    if (file.size < headerBytes)
      throw new DataError(`${path}: ${file.size} bytes is too short for a MAT-file (128-byte header)`, { file: path });
    const header = await file.read(0, headerBytes, 'the MAT-file header');
    const text = new TextDecoder('latin1').decode(header.subarray(0, 116));
    const endian = String.fromCharCode(header[126]!, header[127]!);
    if (
      text.startsWith('MATLAB 7.3') ||
      (file.size >= 516 &&
        new TextDecoder('latin1').decode(await file.read(512, 4, 'the HDF5 signature')) === '\u0089HDF')
    ) {
      throw new DataError(
        `${path}: is a MATLAB v7.3 (HDF5) MAT-file; only level-5 MAT-files are supported: re-save it with \`save(..., '-v7')\``,
        { file: path },
      );
    }
    if (endian !== 'IM' && endian !== 'MI') {
      throw new DataError(
        `${path}: not a MATLAB level-5 MAT-file (no 'IM'/'MI' endian mark at bytes 126-127; header starts \`${text.slice(0, 20).replace(/[^\x20-\x7e]/g, '?')}\`)`,
        {
          file: path,
        },
      );
    }
    const littleEndian = endian === 'IM';
    const version = viewOf(header).getUint16(124, littleEndian);
    if (version !== 0x0100)
      throw new DataError(
        `${path}: MAT-file version 0x${version.toString(16)} is not supported (expected 0x0100, level 5)`,
        { file: path },
      );

    const locations: VariableLocation[] = [];
    let offset = headerBytes;
    while (offset + 8 <= file.size) {
      const tagBytes = await file.read(offset, 8, `the data element tag at offset ${offset}`);
      const type = viewOf(tagBytes).getUint32(0, littleEndian);
      const size = viewOf(tagBytes).getUint32(4, littleEndian);
      if (type !== miMATRIX && type !== miCOMPRESSED) {
        throw new DataError(
          `${path}: top-level data element at offset ${offset} has type ${type}; expected a matrix (14) or compressed (15) element`,
          { file: path },
        );
      }
      if (offset + 8 + size > file.size) {
        throw new DataError(
          `${path}: the data element at offset ${offset} claims ${size} bytes but only ${file.size - offset - 8} remain: the file is truncated`,
          { file: path },
        );
      }
      if (type === miMATRIX) {
        // Uncompressed: parse the header from a prefix of the element, growing it until the header fits.
        let prefix = Math.min(size + 8, 512);
        for (;;) {
          const bytes = await file.read(offset, prefix, `variable header at offset ${offset}`);
          try {
            const parsed = parseMatrixHeader(
              new Reader(bytes, littleEndian, path, `variable at offset ${offset}`),
              0,
              false,
            );
            if (parsed.dataOffset >= 0 && parsed.dataOffset + parsed.variable.dataBytes > size + 8) {
              throw new DataError(
                `${path}: variable \`${parsed.variable.name}\` data runs past the end of its element`,
                { file: path },
              );
            }
            locations.push({
              variable: parsed.variable,
              elementOffset: offset,
              elementBytes: size,
              dataOffset: offset + parsed.dataOffset,
              storageCode: parsed.storageCode,
            });
            break;
          } catch (error) {
            if (!(error instanceof NeedMoreBytes) || prefix >= size + 8) {
              if (error instanceof NeedMoreBytes)
                throw new DataError(`${path}: variable header at offset ${offset} runs past its element (corrupt)`, {
                  file: path,
                });
              throw error;
            }
            prefix = Math.min(size + 8, prefix * 4);
          }
        }
        offset += 8 + Math.ceil(size / 8) * 8;
      } else {
        let prefix = Math.min(size, 4096);
        for (;;) {
          const compressedBytes = await file.read(offset + 8, prefix, `compressed variable at offset ${offset}`);
          let inflated: Uint8Array;
          try {
            inflated = inflateSync(compressedBytes, { finishFlush: constants.Z_SYNC_FLUSH });
          } catch (error) {
            throw new DataError(
              `${path}: compressed variable at offset ${offset} is corrupt: ${(error as Error).message}`,
              { cause: error, file: path },
            );
          }
          try {
            const parsed = parseMatrixHeader(
              new Reader(inflated, littleEndian, path, `compressed variable at offset ${offset}`),
              0,
              true,
            );
            locations.push({
              variable: parsed.variable,
              elementOffset: offset,
              elementBytes: size,
              dataOffset: parsed.dataOffset,
              storageCode: parsed.storageCode,
            });
            break;
          } catch (error) {
            if (!(error instanceof NeedMoreBytes) || prefix >= size) {
              if (error instanceof NeedMoreBytes)
                throw new DataError(
                  `${path}: compressed variable at offset ${offset} ends inside its header (truncated or corrupt)`,
                  { file: path },
                );
              throw error;
            }
            prefix = Math.min(size, prefix * 4);
          }
        }
        offset += 8 + size;
      }
    }
    return [littleEndian, locations];
  }

  private locate(name: string): VariableLocation {
    const location = this.locations.find((candidate) => candidate.variable.name === name);
    if (location === undefined) {
      throw new DataError(
        `${this.path}: has no variable \`${name}\` (it has ${this.locations.map((candidate) => `\`${candidate.variable.name}\``).join(', ') || 'none'})`,
        { file: this.path },
      );
    }
    if (location.variable.storageType === undefined) {
      throw new DataError(
        `${this.path}: variable \`${name}\` is a ${location.variable.className} array; only numeric arrays can be read`,
        { file: this.path },
      );
    }
    return location;
  }

  /** The raw bytes of a numeric variable's real part (column-major, file byte order). */
  async readData(name: string): Promise<Uint8Array> {
    const location = this.locate(name);
    const { dataBytes } = location.variable;
    if (!location.variable.compressed) return this.file.read(location.dataOffset, dataBytes, `variable \`${name}\``);
    const output = new Uint8Array(dataBytes);
    let written = 0;
    for await (const chunk of this.streamData(name)) {
      output.set(chunk, written);
      written += chunk.length;
    }
    return output;
  }

  /** Reads `length` bytes at `offset` of an uncompressed variable's data (random access). */
  async readDataRange(name: string, offset: number, length: number): Promise<Uint8Array> {
    const location = this.locate(name);
    if (location.variable.compressed)
      throw new DataError(`${this.path}: variable \`${name}\` is compressed and cannot be read at an offset`, {
        file: this.path,
      });
    if (offset < 0 || offset + length > location.variable.dataBytes) {
      throw new DataError(
        `${this.path}: range ${offset}+${length} is outside variable \`${name}\` (${location.variable.dataBytes} bytes)`,
        { file: this.path },
      );
    }
    return this.file.read(location.dataOffset + offset, length, `variable \`${name}\``);
  }

  /** Streams a variable's data bytes in order, inflating compressed variables on the fly (bounded memory). */
  async *streamData(name: string, chunkBytes = 1 << 20): AsyncGenerator<Uint8Array> {
    const location = this.locate(name);
    const { dataBytes } = location.variable;
    if (!location.variable.compressed) {
      for (let offset = 0; offset < dataBytes; offset += chunkBytes) {
        yield await this.file.read(
          location.dataOffset + offset,
          Math.min(chunkBytes, dataBytes - offset),
          `variable \`${name}\``,
        );
      }
      return;
    }
    const start = location.elementOffset + 8;
    const stream = createReadStream(this.path, { start, end: start + location.elementBytes - 1 }).pipe(createInflate());
    let skipped = 0;
    let delivered = 0;
    try {
      for await (const piece of stream as AsyncIterable<Buffer>) {
        let chunk: Uint8Array = piece;
        if (skipped < location.dataOffset) {
          const skip = Math.min(location.dataOffset - skipped, chunk.length);
          skipped += skip;
          chunk = chunk.subarray(skip);
        }
        if (chunk.length === 0) continue;
        const take = Math.min(chunk.length, dataBytes - delivered);
        if (take > 0) {
          delivered += take;
          yield chunk.subarray(0, take);
        }
        if (delivered === dataBytes) break;
      }
    } catch (error) {
      throw new DataError(`${this.path}: compressed variable \`${name}\` is corrupt: ${(error as Error).message}`, {
        cause: error,
        file: this.path,
      });
    } finally {
      stream.destroy();
    }
    if (delivered < dataBytes) {
      throw new DataError(
        `${this.path}: compressed variable \`${name}\` inflates to ${delivered} data bytes, its header promises ${dataBytes} (truncated?)`,
        {
          file: this.path,
        },
      );
    }
  }

  /** A numeric variable's values as float64 (any storage type), column-major. */
  async readNumbers(name: string): Promise<Float64Array> {
    const location = this.locate(name);
    const storage = storageTypes[location.storageCode]!;
    const bytes = await this.readData(name);
    const view = viewOf(bytes);
    const values = new Float64Array(bytes.length / storage.bytes);
    for (let index = 0; index < values.length; index += 1)
      values[index] = storage.get(view, index * storage.bytes, this.littleEndian);
    return values;
  }

  async close(): Promise<void> {
    await this.file.close();
  }
}
