import { open, readFile, truncate, type FileHandle } from 'node:fs/promises';

import { FacesError } from '../errors/faces-error';
import type { RejectionReason } from '../selection/select-faces';

/** One box of a journal record: the detector box in photo pixels (integers), its score and verdict. */
export interface JournalFace {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
  readonly score: number;
  readonly kept: boolean;
  readonly reason?: RejectionReason;
  /** Crop file, relative to the output folder (kept boxes). */
  readonly crop?: string;
  /** Contact-sheet tile, relative to the output folder, when this box got one. */
  readonly tile?: string;
}

/** One finished photo. */
export type JournalRecord =
  | { readonly file: string; readonly width: number; readonly height: number; readonly faces: readonly JournalFace[] }
  | { readonly file: string; readonly error: string };

export function isUnreadableRecord(record: JournalRecord): record is { readonly file: string; readonly error: string } {
  return (record as { error?: unknown }).error !== undefined;
}

/**
 * Reads a journal. A crash can leave the last line half-written: that line is cut off (the photo is redone), so
 * appends go on from a clean line. Any other malformed line is an error naming the line.
 */
export async function readJournal(path: string): Promise<JournalRecord[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new FacesError(`${path}: cannot read the run's journal: ${(error as Error).message}`, {
      cause: error,
      file: path,
    });
  }
  const records: JournalRecord[] = [];
  const lines = text.split('\n');
  // Every line but the last ends in a newline; the last is empty, or the unterminated tail of a crash.
  for (let index = 0; index < lines.length - 1; index += 1) {
    const line = lines[index] as string;
    if (line.trim() === '') continue;
    try {
      records.push(JSON.parse(line) as JournalRecord);
    } catch (error) {
      throw new FacesError(
        `${path}: line ${index + 1} is not JSON (${(error as Error).message}); delete the file to start over`,
        {
          cause: error,
          file: path,
        },
      );
    }
  }
  if (!text.endsWith('\n') && text.length > 0) {
    // The unterminated tail is the photo that was being written when the run stopped.
    await truncate(
      path,
      Buffer.byteLength(text, 'utf8') - Buffer.byteLength(lines[lines.length - 1] as string, 'utf8'),
    );
  }
  return records;
}

/** Appends records one line each, flushed to disk before `append` resolves. */
export class JournalWriter {
  private constructor(
    private readonly handle: FileHandle,
    private readonly path: string,
  ) {}

  static async open(path: string): Promise<JournalWriter> {
    try {
      return new JournalWriter(await open(path, 'a'), path);
    } catch (error) {
      throw new FacesError(`${path}: cannot open the run's journal: ${(error as Error).message}`, {
        cause: error,
        file: path,
      });
    }
  }

  async append(record: JournalRecord): Promise<void> {
    try {
      await this.handle.write(`${JSON.stringify(record)}\n`);
      await this.handle.datasync();
    } catch (error) {
      throw new FacesError(`${this.path}: cannot write the run's journal: ${(error as Error).message}`, {
        cause: error,
        file: this.path,
      });
    }
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
