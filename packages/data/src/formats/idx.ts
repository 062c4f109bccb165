import { constants as bufferConstants } from 'node:buffer';
import { readFile } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';

import { DataError } from '../errors/data-error';
import { isGzip, viewOf } from '../io/binary-file';

/** An IDX array (the MNIST / Fashion-MNIST file format): unsigned bytes with their dimensions. */
export interface IdxArray {
  readonly dimensions: readonly number[];
  readonly data: Uint8Array;
}

const typeNames: Record<number, string> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'short',
  0x0c: 'int',
  0x0d: 'float',
  0x0e: 'double',
};

/**
 * Parses IDX bytes (already gunzipped). Only unsigned-byte arrays are accepted (every MNIST-style image and label
 * file); anything else, a bad magic number, or a length that disagrees with the header is a `DataError` naming `file`.
 *
 * @example
 * const { dimensions, data } = parseIdx(bytes, 'train-images-idx3-ubyte'); // dimensions [60000, 28, 28]
 */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  if (bytes.length < 4)
    throw new DataError(`${file}: ${bytes.length} bytes is too short for an IDX header (4-byte magic number)`, {
      file,
    });
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DataError(
      `${file}: not an IDX file: the magic number must start with two zero bytes, got 0x${hex(bytes[0]!)} 0x${hex(bytes[1]!)}`,
      { file },
    );
  }
  const type = bytes[2]!;
  const rank = bytes[3]!;
  if (type !== 0x08) {
    const name = typeNames[type];
    throw new DataError(
      `${file}: IDX data type 0x${hex(type)}${name === undefined ? ' is not a valid IDX type' : ` (${name}) is not supported`}; expected 0x08 (unsigned byte)`,
      { file },
    );
  }
  if (rank < 1) throw new DataError(`${file}: IDX header declares 0 dimensions`, { file });
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    throw new DataError(
      `${file}: truncated IDX header: ${rank} dimensions need ${headerBytes} bytes, the file has ${bytes.length}`,
      { file },
    );
  }
  const view = viewOf(bytes);
  const dimensions: number[] = [];
  let count = 1;
  for (let axis = 0; axis < rank; axis += 1) {
    const size = view.getUint32(4 + 4 * axis, false);
    dimensions.push(size);
    count *= size;
  }
  const available = bytes.length - headerBytes;
  if (available !== count) {
    throw new DataError(
      `${file}: IDX header promises ${dimensions.join('x')} = ${count} bytes of data, the file holds ${available}${available < count ? ' (truncated)' : ' (trailing bytes)'}`,
      { file },
    );
  }
  return { dimensions, data: bytes.subarray(headerBytes) };
}

function hex(value: number): string {
  return value.toString(16).padStart(2, '0');
}

/**
 * Reads an IDX file, gzipped or not (detected from the bytes, not the name).
 *
 * @example
 * const labels = await readIdxFile('train-labels-idx1-ubyte.gz');
 */
export async function readIdxFile(path: string): Promise<IdxArray> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new DataError(`${path}: cannot read file: ${(error as Error).message}`, { cause: error, file: path });
  }
  if (isGzip(bytes)) bytes = await gunzipIdx(bytes, path);
  return parseIdx(bytes, path);
}

/**
 * Inflates a gzipped IDX file, stopping as soon as the output passes what its header claims (a 3 MB bomb expands to
 * 3 GiB otherwise). Memory stays within the claimed size plus one zlib chunk; `parseIdx` then checks the rest.
 */
function gunzipIdx(compressed: Uint8Array, path: string): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const gunzip = createGunzip();
    const chunks: Buffer[] = [];
    let length = 0;
    let limit = Number.POSITIVE_INFINITY;
    let described = '';
    let failed = false;
    const fail = (message: string, cause?: unknown): void => {
      if (failed) return;
      failed = true;
      gunzip.destroy();
      reject(new DataError(`${path}: ${message}`, { file: path, ...(cause === undefined ? {} : { cause }) }));
    };
    gunzip.on('data', (chunk: Buffer) => {
      if (failed) return;
      chunks.push(chunk);
      length += chunk.length;
      if (limit === Number.POSITIVE_INFINITY && length >= 4) {
        const head = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
        const headerBytes = 4 + 4 * head[3]!;
        if (head[0] !== 0 || head[1] !== 0 || head[3] === 0) {
          limit = 4; // not an IDX header: parseIdx names the problem
        } else if (length >= headerBytes) {
          const dimensions = Array.from({ length: head[3]! }, (_, axis) => head.readUInt32BE(4 + 4 * axis));
          const count = dimensions.reduce((product, size) => product * size, 1);
          if (headerBytes + count > bufferConstants.MAX_LENGTH) {
            fail(`IDX header claims ${dimensions.join('x')} = ${count} bytes of data, more than one buffer can hold`);
            return;
          }
          limit = headerBytes + count;
          described = `${headerBytes + count} bytes its IDX header claims (${dimensions.join('x')} = ${count} data bytes plus the ${headerBytes}-byte header)`;
        }
      }
      if (length > limit) {
        fail(
          limit === 4
            ? 'not an IDX file: the magic number must start with two zero bytes and declare at least one dimension'
            : `the gzip stream inflates past the ${described}: trailing data or a decompression bomb; stopped`,
        );
      }
    });
    gunzip.on('error', (error) => fail(`corrupt gzip stream: ${error.message}`, error));
    gunzip.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks, length));
    });
    gunzip.end(compressed);
  });
}
