import { appendFile, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { TrainError } from '../errors/train-error';
import { parseMetrics, readMetricsFile, type StepMetrics } from '../metrics/metrics-record';
import { curvePanels, drawCurves, renderCurvesPng } from './draw-curves';
import { niceCeiling, niceTicks, tickLabel } from './nice-ticks';
import { createCurvesWriter, writeCurvesFile } from './write-curves';

const metricsFixture = fileURLToPath(new URL('../../test/fixtures/metrics.ndjson', import.meta.url));

// The layout drawCurves promises for its default 900x680 picture: two panels of 340 pixels, each with its plot
// area from x = 84 to 880 and from 40 below the panel top to 52 above the panel bottom.
const width = 900;
const height = 680;
const plot = (panel: number) => ({ left: 84, right: 880, top: panel * 340 + 40, bottom: panel * 340 + 340 - 52 });
const [lossColors, outputColors] = curvePanels.map((panel) => panel.series.map((series) => series.color));
const [dLossColor, gLossColor] = lossColors!;
const [realColor, fakeColor] = outputColors!;

type Rgb = readonly [number, number, number];
const pixel = (image: { data: Uint8Array }, x: number, y: number): Rgb => {
  const offset = (y * width + x) * 3;
  return [image.data[offset]!, image.data[offset + 1]!, image.data[offset + 2]!];
};
const near = (a: Rgb, b: Rgb, tolerance = 40) =>
  Math.abs(a[0] - b[0]) + Math.abs(a[1] - b[1]) + Math.abs(a[2] - b[2]) <= tolerance;
/**
 * How much of `color` a pixel holds over the white background (anti-aliased lines blend): the least-squares
 * alpha of pixel = white + alpha * (color - white), or 0 where the pixel is not such a mix (another colour).
 */
const alphaOf = (value: Rgb, color: Rgb): number => {
  const d = [0, 1, 2].map((channel) => 255 - color[channel]!);
  const p = [0, 1, 2].map((channel) => 255 - value[channel]!);
  const alpha = (d[0]! * p[0]! + d[1]! * p[1]! + d[2]! * p[2]!) / (d[0]! ** 2 + d[1]! ** 2 + d[2]! ** 2);
  const residual = Math.hypot(...p.map((channel, index) => channel - alpha * d[index]!));
  return residual <= 12 ? alpha : 0;
};
/** Rows of column `x` between top and bottom holding at least half of `color`, with their alpha. */
const inkRows = (image: { data: Uint8Array }, x: number, color: Rgb, top: number, bottom: number) => {
  const rows: { y: number; alpha: number }[] = [];
  for (let y = top; y <= bottom; y += 1) {
    const alpha = alphaOf(pixel(image, x, y), color);
    if (alpha >= 0.5) rows.push({ y, alpha });
  }
  return rows;
};
/** Alpha-weighted centre row of a line crossing column `x`. */
const lineCentre = (rows: { y: number; alpha: number }[]) =>
  rows.reduce((sum, row) => sum + row.y * row.alpha, 0) / rows.reduce((sum, row) => sum + row.alpha, 0);
/** Rows of column `x` between top and bottom whose colour is within `tolerance` of `color`. */
const rowsOf = (image: { data: Uint8Array }, x: number, color: Rgb, top = 0, bottom = height - 1, tolerance = 40) => {
  const rows: number[] = [];
  for (let y = top; y <= bottom; y += 1) if (near(pixel(image, x, y), color, tolerance)) rows.push(y);
  return rows;
};
const constant = (steps: number, values: Omit<StepMetrics, 'step'>): StepMetrics[] =>
  Array.from({ length: steps }, (_, index) => ({ step: index + 1, ...values }));

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'dcgan-train-curves-'));
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('drawCurves', () => {
  it('draws each series at its value: constant values give level lines at the right heights', () => {
    // Losses 0.6 and 1.8: the loss axis runs to 2; D outputs 0.75 and 0.25 on the fixed 0..1 axis.
    const image = drawCurves(
      constant(100, { discriminatorLoss: 0.6, generatorLoss: 1.8, realScore: 0.75, fakeScore: 0.25 }),
    );
    expect([image.width, image.height, image.channels]).toEqual([width, height, 3]);
    const x = 300; // a column left of the legends
    const at = (panel: number, value: number, yMax: number) => {
      const { top, bottom } = plot(panel);
      return bottom - (value / yMax) * (bottom - top);
    };
    const checks = [
      [dLossColor, 0, at(0, 0.6, 2)],
      [gLossColor, 0, at(0, 1.8, 2)],
      [realColor, 1, at(1, 0.75, 1)],
      [fakeColor, 1, at(1, 0.25, 1)],
    ] as const;
    for (const [color, panel, expectedY] of checks) {
      const rows = inkRows(image, x, color!, plot(panel).top, plot(panel).bottom);
      expect(rows.length).toBeGreaterThanOrEqual(1);
      expect(rows.length).toBeLessThanOrEqual(3); // a thin line, drawn once
      expect(Math.abs(lineCentre(rows) - expectedY)).toBeLessThanOrEqual(0.5);
    }
  });

  it('frames each plot, ticks its axes and shows a legend swatch per series', () => {
    const image = drawCurves(constant(50, { discriminatorLoss: 1, generatorLoss: 2, realScore: 0.5, fakeScore: 0.5 }));
    for (const panel of [0, 1]) {
      const { left, top, bottom, right } = plot(panel);
      for (let y = top; y <= bottom; y += 1) expect(near(pixel(image, left, y), [40, 40, 40], 10)).toBe(true);
      for (let x = left; x <= right; x += 1) expect(near(pixel(image, x, bottom), [40, 40, 40], 10)).toBe(true);
      // Tick marks stick out left of the y axis: 0..1 in steps of 0.2 is six of them.
      const ticks = rowsOf(image, left - 3, [40, 40, 40], top - 2, bottom + 2, 10);
      expect(ticks.length).toBeGreaterThanOrEqual(3);
      // Tick labels: dark pixels left of the axis.
      let labelPixels = 0;
      for (let x = left - 60; x < left - 8; x += 1)
        labelPixels += rowsOf(image, x, [40, 40, 40], top - 8, bottom + 8, 10).length;
      expect(labelPixels).toBeGreaterThan(100);
      // The legend (top right of the plot) holds a swatch of each series' colour.
      for (const color of panel === 0 ? lossColors! : outputColors!) {
        let found = 0;
        for (let y = top; y < top + 70; y += 1)
          for (let x = right - 250; x < right; x += 1) if (near(pixel(image, x, y), color!, 10)) found += 1;
        expect(found).toBeGreaterThan(20);
      }
    }
  });

  it('moves a legend off the curves: lines along the top of the plot put it in the bottom right corner', () => {
    const image = drawCurves(
      constant(80, { discriminatorLoss: 1, generatorLoss: 1, realScore: 0.96, fakeScore: 0.93 }),
    );
    const { right, top, bottom } = plot(1);
    const swatchPixels = (rowFrom: number, rowTo: number) => {
      let count = 0;
      for (let y = rowFrom; y < rowTo; y += 1)
        for (let x = right - 220; x < right; x += 1) if (near(pixel(image, x, y), fakeColor!, 10)) count += 1;
      return count;
    };
    // The legend's red swatch (3 px x 22 px) is in the bottom right; at the top right there is only the red curve.
    expect(swatchPixels(bottom - 70, bottom)).toBeGreaterThan(40);
    expect(swatchPixels(top + 30, top + 70)).toBe(0);
  });

  it('breaks a line at non-finite values (a diverged step) instead of drawing through them', () => {
    const records = constant(100, { discriminatorLoss: 1, generatorLoss: 1.5, realScore: 0.6, fakeScore: 0.1 }).map(
      (record) => (record.step >= 40 && record.step <= 60 ? { ...record, realScore: Number.NaN } : record),
    );
    const image = drawCurves(records);
    const { left, right, top, bottom } = plot(1);
    const column = (step: number) => Math.round(left + ((step - 1) / 99) * (right - left));
    expect(inkRows(image, column(20), realColor!, top, bottom).length).toBeGreaterThan(0);
    expect(inkRows(image, column(50), realColor!, top, bottom)).toEqual([]);
    expect(inkRows(image, column(80), realColor!, top, bottom).length).toBeGreaterThan(0);
    expect(inkRows(image, column(50), fakeColor!, top, bottom).length).toBeGreaterThan(0); // the other series goes on
  });

  it('with more steps than pixels, draws the spread as a pale band and the column means as a line', () => {
    // 5,000 steps alternating D(x) 0.7 / 0.9: the band spans 0.7..0.9, the line runs at the mean 0.8.
    const records = Array.from({ length: 5000 }, (_, index) => ({
      step: index + 1,
      discriminatorLoss: 1,
      generatorLoss: 1,
      realScore: index % 2 === 0 ? 0.7 : 0.9,
      fakeScore: 0.1,
    }));
    const image = drawCurves(records);
    const { top, bottom } = plot(1);
    const y = (value: number) => bottom - value * (bottom - top);
    const line = inkRows(image, 300, realColor!, top, bottom).filter((row) => row.alpha > 0.75);
    expect(line.length).toBeGreaterThan(0);
    expect(Math.abs(lineCentre(line) - y(0.8))).toBeLessThanOrEqual(1);
    const pale: Rgb = [
      realColor![0] + Math.round((255 - realColor![0]) * 0.7),
      realColor![1] + Math.round((255 - realColor![1]) * 0.7),
      realColor![2] + Math.round((255 - realColor![2]) * 0.7),
    ];
    const band = rowsOf(image, 300, pale, top, bottom, 12);
    expect(Math.min(...band)).toBeCloseTo(y(0.9), -0.5);
    expect(Math.max(...band)).toBeCloseTo(y(0.7), -0.5);
  });

  it('draws the curves of a real run, and encodes them as a PNG that an independent decoder reads back', async () => {
    const { records, skipped } = await readMetricsFile(metricsFixture);
    expect(skipped).toEqual([]);
    expect(records.map((record) => record.step)).toEqual(Array.from({ length: 60 }, (_, index) => index + 1));
    const image = drawCurves(records);
    // Each line crosses the whole plot: its colour is in every column but those under the legend (at most about
    // 200 pixels wide, in whichever corner hides least) and the few where the panel's other line crosses it
    // (D(x) and D(G(z)) start together).
    for (const [panel, colors] of [
      [0, lossColors!],
      [1, outputColors!],
    ] as const) {
      const { left, right, top, bottom } = plot(panel);
      for (const color of colors) {
        let columns = 0;
        for (let x = left + 1; x <= right; x += 1) if (inkRows(image, x, color, top, bottom).length > 0) columns += 1;
        expect(columns).toBeGreaterThanOrEqual(0.98 * (right - left - 200));
      }
    }
    // Halfway between steps 30 and 31, the D(x) line lies halfway between their values (steps 1..60 span the plot).
    const { left, right, top, bottom } = plot(1);
    const x = Math.round(left + (29.5 / 59) * (right - left));
    const step = 1 + ((x - left) / (right - left)) * 59; // the step at that pixel column, exactly
    const value = records[29]!.realScore + (step - 30) * (records[30]!.realScore - records[29]!.realScore);
    expect(
      Math.abs(lineCentre(inkRows(image, x, realColor!, top, bottom)) - (bottom - value * (bottom - top))),
    ).toBeLessThanOrEqual(1);

    const png = await renderCurvesPng(records);
    const decoded = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect([decoded.info.width, decoded.info.height, decoded.info.channels]).toEqual([width, height, 3]);
    expect(Buffer.compare(decoded.data, Buffer.from(image.data))).toBe(0);
  });

  it('draws empty axes for no records yet and checks its size options', () => {
    const image = drawCurves([]);
    expect(image.data.some((value) => value !== 255)).toBe(true);
    expect(drawCurves([], { width: 400, height: 300 }).data.length).toBe(400 * 300 * 3);
    expect(() => drawCurves([], { width: 100 })).toThrow(/Expected `width` to be an integer in 320..8192, got `100`/);
    expect(() => drawCurves([], { height: 240.5 })).toThrow(TrainError);
  });
});

describe('metrics.ndjson', () => {
  it('skips and reports torn or foreign lines; a repeated step (resume from an older checkpoint) keeps the later line', () => {
    const line = (step: number, generatorLoss: number) =>
      JSON.stringify({ step, discriminatorLoss: 1, generatorLoss, realScore: 0.5, fakeScore: 0.5 });
    const text = [
      line(1, 10),
      line(2, 20),
      line(3, 30),
      line(2, 21),
      '{"step": 4, "discriminatorLoss": 1}',
      'not json',
      line(3, 31),
      '{"step":5,"discri',
    ].join('\n');
    const { records, skipped } = parseMetrics(text);
    expect(records.map((record) => [record.step, record.generatorLoss])).toEqual([
      [1, 10],
      [2, 21],
      [3, 31],
    ]);
    expect(skipped).toEqual([
      { line: 5, reason: '`generatorLoss` is missing' },
      { line: 6, reason: 'not valid JSON' },
      { line: 8, reason: 'not valid JSON' },
    ]);
  });

  it('names a metrics file that cannot be read', async () => {
    const missing = join(directory, 'metrics.ndjson');
    await expect(readMetricsFile(missing)).rejects.toThrow(TrainError);
    await expect(readMetricsFile(missing)).rejects.toThrow(missing);
  });
});

describe('writeCurvesFile', () => {
  it('writes curves.png from metrics.ndjson atomically, reporting a torn last line', async () => {
    const metrics = join(directory, 'metrics.ndjson');
    await writeFile(metrics, `${await readFile(metricsFixture, 'utf8')}{"time":"2026-12-06T04:56:3`);
    const output = join(directory, 'curves.png');
    await writeFile(output, 'an older picture');
    const written = await writeCurvesFile(metrics, output);
    expect(written).toEqual({ path: output, steps: 60, skipped: [{ line: 61, reason: 'not valid JSON' }] });
    const metadata = await sharp(output).metadata();
    expect([metadata.format, metadata.width, metadata.height]).toEqual(['png', width, height]);
    expect((await readdir(directory)).sort()).toEqual(['curves.png', 'metrics.ndjson']); // no temporary file left
  });
});

describe('createCurvesWriter', () => {
  it('follows a growing metrics file: new lines only, a line being written waits, a replaced file is read anew', async () => {
    const lines = (await readFile(metricsFixture, 'utf8')).trimEnd().split('\n');
    const metrics = join(directory, 'metrics.ndjson');
    const output = join(directory, 'curves.png');
    const curves = createCurvesWriter(metrics, output);

    // Before the first step there is no metrics file: empty axes.
    expect(await curves.refresh()).toEqual({ path: output, steps: 0, skipped: [] });
    expect((await sharp(output).metadata()).width).toBe(width);

    await writeFile(metrics, `${lines.slice(0, 30).join('\n')}\n`);
    expect((await curves.refresh()).steps).toBe(30);
    await appendFile(metrics, `${lines.slice(30, 59).join('\n')}\n${lines[59]!.slice(0, 40)}`); // the 60th line half written
    expect(await curves.refresh()).toEqual({ path: output, steps: 59, skipped: [] });
    await appendFile(metrics, `${lines[59]!.slice(40)}\n`);
    expect(await curves.refresh()).toEqual({ path: output, steps: 60, skipped: [] });
    // The picture is what drawCurves makes of all 60 records.
    const { records } = await readMetricsFile(metricsFixture);
    const decoded = await sharp(output).raw().toBuffer();
    expect(Buffer.compare(decoded, Buffer.from(drawCurves(records).data))).toBe(0);

    // A new file in its place (a fresh run in the same folder) is read from its start.
    const replacement = join(directory, 'replacement.ndjson');
    await writeFile(replacement, `${lines.slice(0, 5).join('\n')}\nnot json\n`);
    await rename(replacement, metrics);
    expect(await curves.refresh()).toEqual({
      path: output,
      steps: 5,
      skipped: [{ line: 6, reason: 'not valid JSON' }],
    });
  });
});

describe('axis ticks', () => {
  it('steps by 1, 2 or 5 times a power of ten and prints each tick exactly', () => {
    expect(niceTicks(0, 2.7, 5)).toEqual({ step: 0.5, values: [0, 0.5, 1, 1.5, 2, 2.5] });
    expect(niceTicks(1, 60, 8).values).toEqual([10, 20, 30, 40, 50, 60]);
    expect(niceTicks(0, 1, 5).values).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceCeiling(3.78)).toBe(4);
    expect(niceCeiling(0.011)).toBe(0.015);
    expect(tickLabel(25_000, 5000)).toBe('25k');
    expect(tickLabel(5000, 1000)).toBe('5000');
    expect(tickLabel(5000, 1000, 20_000)).toBe('5k'); // on an axis that reaches 20k
    expect(tickLabel(12_000_000, 1_000_000)).toBe('12M');
    expect(tickLabel(0.6000000000000001, 0.2)).toBe('0.6');
    expect(tickLabel(0.25, 0.05)).toBe('0.25');
  });
});
