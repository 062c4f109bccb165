import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { encodePng } from '@dcgan/data';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { TrainError } from '../errors/train-error';
import { readMetricsFile } from '../metrics/metrics-record';
import { findProtobufPython, readEventFileWithPython } from '../test-support/python-event-reader';
import { crc32c } from './crc32c';
import { createEventFileWriter } from './event-file-writer';
import { sampleImageTag, trainingScalars, trainingScalarTags } from './training-scalars';

const metricsFixture = fileURLToPath(new URL('../../test/fixtures/metrics.ndjson', import.meta.url));
const python = findProtobufPython();
// Outside CI the Python check is skipped where python3-protobuf is missing; in CI (.ci/run installs it) it must run.
const inCi = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';
const now = () => 1_765_000_000_250; // a fixed clock: wall_time 1765000000.25 s

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'dcgan-train-events-'));
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('crc32c', () => {
  it('gives the published CRC-32C check value', () => {
    // "123456789" -> 0xE3069283 (RFC 3720 appendix B.4; the CRC catalogue's CRC-32/ISCSI check value).
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa); // RFC 3720 B.4: 32 bytes of zeros
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43); // and 32 bytes of 0xFF
  });
  // The masking and framing are checked by the Python reader below, which computes both on its own.
});

describe('createEventFileWriter', () => {
  it('names the file events.out.tfevents.<seconds>.<host> and never reuses a name', async () => {
    const first = await createEventFileWriter(directory, { now, hostname: 'trainer-7' });
    const second = await createEventFileWriter(directory, { now, hostname: 'trainer-7' });
    await Promise.all([first.close(), second.close()]);
    expect(first.path).toBe(join(directory, 'events.out.tfevents.1765000000.trainer-7'));
    expect(second.path).not.toBe(first.path);
    expect((await readdir(directory)).sort()).toEqual([
      'events.out.tfevents.1765000000.trainer-7',
      'events.out.tfevents.1765000000.trainer-7.1',
    ]);
  });

  it('rejects bad arguments with an error naming the file, and calls after close', async () => {
    const writer = await createEventFileWriter(directory, { now });
    await expect(writer.addScalars(-1, { a: 1 })).rejects.toThrow(
      /events\.out\.tfevents.*Expected `step` to be a non-negative integer, got `-1`/,
    );
    await expect(writer.addScalars(1.5, { a: 1 })).rejects.toThrow(TrainError);
    await expect(writer.addScalars(1, { '': 1 })).rejects.toThrow(/non-empty tag/);
    await expect(writer.addImage('x', 1, new Uint8Array(4), { width: 0, height: 2 })).rejects.toThrow(
      /`width` to be a positive 32-bit integer, got `0`/,
    );
    await expect(writer.addImage('x', 1, new Uint8Array(0), { width: 2, height: 2 })).rejects.toThrow(
      /non-empty bytes/,
    );
    await writer.close();
    await writer.close(); // harmless
    await expect(writer.addScalars(2, { a: 1 })).rejects.toThrow(/closed/);
  });
});

describe.skipIf(python === null && !inCi)('event files read back by an independent reader (python3-protobuf)', () => {
  const read = (path: string) => {
    if (python === null)
      throw new Error('CI needs python3-protobuf (Debian) to check event files; .ci/run installs it');
    return readEventFileWithPython(python, path);
  };

  it('holds the file version, the training scalars of every step and the sample images, with valid CRCs', async () => {
    const { records } = await readMetricsFile(metricsFixture);
    expect(records.length).toBeGreaterThan(10);
    const grid = {
      width: 10,
      height: 6,
      channels: 3 as const,
      data: Uint8Array.from({ length: 180 }, (_, index) => (index * 37) % 256),
    };
    const writer = await createEventFileWriter(directory, { now });
    const png = await writer.addRawImage(sampleImageTag, 0, grid);
    for (const record of records) await writer.addScalars(record.step, trainingScalars(record));
    const gray = await encodePng({
      width: 3,
      height: 2,
      channels: 1,
      data: new Uint8Array([0, 50, 100, 150, 200, 250]),
    });
    await writer.addImage('samples/gray', records.at(-1)!.step, gray, { width: 3, height: 2, channels: 1 });
    await writer.close();

    const file = read(writer.path);
    expect(file.errors).toEqual([]);
    expect(file.truncated_tail).toBe(false);
    const [header, ...events] = file.events;
    expect(header).toMatchObject({ kind: 'file_version', file_version: 'brain.Event:2', wall_time: 1_765_000_000.25 });
    expect(events).toHaveLength(records.length + 2);
    expect(events.every((event) => event.kind === 'summary' && event.wall_time === 1_765_000_000.25)).toBe(true);
    const steps = events.map((event) => event.step);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));

    const [first, ...rest] = events;
    expect(first!.step).toBe(0);
    expect(first!.images).toEqual([
      { tag: 'samples', width: 10, height: 6, colorspace: 3, base64: Buffer.from(png).toString('base64') },
    ]);
    const scalarEvents = rest.slice(0, records.length);
    scalarEvents.forEach((event, index) => {
      const record = records[index]!;
      expect(event.step).toBe(record.step);
      // simple_value is a float: what the reader gets back is the float32 nearest to the metric.
      expect(event.scalars).toEqual({
        [trainingScalarTags.discriminatorLoss]: Math.fround(record.discriminatorLoss),
        [trainingScalarTags.generatorLoss]: Math.fround(record.generatorLoss),
        [trainingScalarTags.realScore]: Math.fround(record.realScore),
        [trainingScalarTags.fakeScore]: Math.fround(record.fakeScore),
        [trainingScalarTags.fakeScoreAfterUpdate]: Math.fround(record.fakeScoreAfterUpdate!),
        [trainingScalarTags.imagesPerSecond]: Math.fround(record.imagesPerSecond!),
      });
    });
    expect(rest.at(-1)!.images).toEqual([
      { tag: 'samples/gray', width: 3, height: 2, colorspace: 1, base64: Buffer.from(gray).toString('base64') },
    ]);
  });

  it('keeps unawaited calls in order, and writes large steps, negative, NaN and infinite values', async () => {
    const writer = await createEventFileWriter(directory, { now });
    const calls = Array.from({ length: 40 }, (_, index) => writer.addScalars(index + 1, { value: index / 3 }));
    calls.push(
      writer.addScalars(2 ** 40, {
        big: -2.5,
        nan: Number.NaN,
        up: Number.POSITIVE_INFINITY,
        down: Number.NEGATIVE_INFINITY,
      }),
    );
    await writer.close(); // waits for the queued writes
    await Promise.all(calls);
    const file = read(writer.path);
    expect(file.errors).toEqual([]);
    const events = file.events.slice(1);
    expect(events.map((event) => event.step)).toEqual([
      ...Array.from({ length: 40 }, (_, index) => index + 1),
      2 ** 40,
    ]);
    expect(events.slice(0, 40).map((event) => event.scalars!.value)).toEqual(
      Array.from({ length: 40 }, (_, index) => Math.fround(index / 3)),
    );
    expect(events[40]!.scalars).toEqual({ big: -2.5, nan: 'nan', up: 'inf', down: '-inf' });
  });

  it('marks a restart with a SessionLog START at the resume step', async () => {
    const writer = await createEventFileWriter(directory, { now });
    await writer.addRestart(500);
    await writer.addScalars(501, { 'loss/generator': 1 });
    await writer.close();
    const file = read(writer.path);
    expect(file.errors).toEqual([]);
    expect(file.events.slice(1).map(({ kind, step, session_status }) => ({ kind, step, session_status }))).toEqual([
      { kind: 'session_log', step: 500, session_status: 1 },
      { kind: 'summary', step: 501, session_status: undefined },
    ]);
  });

  it('the reader is a real check: a flipped byte fails its CRC, a torn tail is reported and the rest still reads', async () => {
    const writer = await createEventFileWriter(directory, { now });
    for (let step = 1; step <= 3; step += 1) await writer.addScalars(step, { 'loss/discriminator': step / 10 });
    await writer.close();
    const bytes = await readFile(writer.path);

    const flipped = join(directory, 'flipped.tfevents');
    const corrupt = Buffer.from(bytes);
    corrupt[corrupt.length - 6]! ^= 0x01; // inside the last record's payload
    await writeFile(flipped, corrupt);
    expect(read(flipped).errors).toEqual([expect.stringMatching(/record 3 .*data CRC mismatch/)]);

    const torn = join(directory, 'torn.tfevents');
    await writeFile(torn, bytes);
    await truncate(torn, bytes.length - 3); // a process killed in the middle of its last write
    const file = read(torn);
    expect(file.errors).toEqual([]);
    expect(file.truncated_tail).toBe(true);
    expect(file.events.map((event) => event.step)).toEqual([0, 1, 2]);
  });
});
