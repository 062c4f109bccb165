import { open, type FileHandle } from 'node:fs/promises';

import { DataError } from '../errors/data-error';

/**
 * A file opened for positional reads that never return short: every read either gets all the bytes it asked for or
 * throws a `DataError` naming the file, the offset and what was expected.
 */
export class BinaryFile {
  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    readonly size: number,
  ) {}

  static async open(path: string): Promise<BinaryFile> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      throw new DataError(`${path}: cannot open file: ${(error as Error).message}`, { cause: error, file: path });
    }
    const stats = await handle.stat();
    if (!stats.isFile()) {
      await handle.close();
      throw new DataError(`${path}: not a regular file`, { file: path });
    }
    return new BinaryFile(path, handle, stats.size);
  }

  /** Reads exactly `length` bytes at `position`; `what` names the structure for the error message. */
  async read(position: number, length: number, what: string): Promise<Uint8Array> {
    if (position < 0 || !Number.isSafeInteger(position) || position + length > this.size) {
      throw new DataError(
        `${this.path}: unexpected end of file reading ${what}: needs ${length} bytes at offset ${position}, the file has ${this.size} bytes (truncated?)`,
        { file: this.path },
      );
    }
    const buffer = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.handle.read(buffer, done, length - done, position + done);
      if (bytesRead === 0) {
        throw new DataError(`${this.path}: file shrank while reading ${what} at offset ${position + done}`, {
          file: this.path,
        });
      }
      done += bytesRead;
    }
    return buffer;
  }

  async close(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }
}

/** True when the bytes start with the gzip magic number. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** A DataView over a byte array (any offset). */
export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
