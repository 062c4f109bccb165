import { appendFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { FacesError } from '../errors/faces-error';
import { JournalWriter, readJournal, type JournalRecord } from './journal';

const first: JournalRecord = { file: 'a.jpg', width: 10, height: 10, faces: [] };
const second: JournalRecord = { file: 'b.jpg', error: 'cannot decode image' };

async function temporaryJournal(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'faces-journal-')), 'detections.jsonl');
}

describe('journal', () => {
  it('reads back what was appended; a missing journal is an empty one', async () => {
    const path = await temporaryJournal();
    expect(await readJournal(path)).toEqual([]);
    const writer = await JournalWriter.open(path);
    await writer.append(first);
    await writer.append(second);
    await writer.close();
    expect(await readJournal(path)).toEqual([first, second]);
  });

  it('cuts off a half-written last line (a crash mid-append) so that appends go on cleanly', async () => {
    const path = await temporaryJournal();
    await writeFile(path, `${JSON.stringify(first)}\n{"file":"b.jpg","wid`);
    expect(await readJournal(path)).toEqual([first]);
    expect(await readFile(path, 'utf8')).toBe(`${JSON.stringify(first)}\n`);
    const writer = await JournalWriter.open(path);
    await writer.append(second);
    await writer.close();
    expect(await readJournal(path)).toEqual([first, second]);
  });

  it('refuses a journal with a damaged line before the end, naming the line', async () => {
    const path = await temporaryJournal();
    await writeFile(path, `${JSON.stringify(first)}\nnot json\n`);
    await appendFile(path, `${JSON.stringify(second)}\n`);
    const error = await readJournal(path).catch((caught: unknown) => caught);
    expect(FacesError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('line 2 is not JSON');
  });
});
