import { encodePng, type RawImage } from '@dcgan/data';

import { TrainError } from '../errors/train-error';
import type { StepMetrics } from '../metrics/metrics-record';
import { textWidth } from './bitmap-font';
import { niceCeiling, niceTicks, tickLabel } from './nice-ticks';
import { Raster, type Color, type Rectangle } from './raster';

/** Options of {@link drawCurves}. */
export interface CurvesOptions {
  /**
   * Picture width in pixels (at least 320).
   * @default 900
   */
  readonly width?: number;
  /**
   * Picture height in pixels, shared by the two panels (at least 240).
   * @default 680
   */
  readonly height?: number;
}

/** One line of a panel: a colour, a legend label and how to read its value from a record. */
export interface CurveSeries {
  readonly label: string;
  readonly color: Color;
  readonly value: (record: StepMetrics) => number | undefined;
}

/** The lines of curves.png: losses in the top panel, D's mean outputs (probabilities) in the bottom one. */
export const curvePanels = [
  {
    title: 'losses',
    series: [
      { label: 'D loss', color: [31, 119, 180], value: (record) => record.discriminatorLoss },
      { label: 'G loss', color: [255, 127, 14], value: (record) => record.generatorLoss },
    ],
  },
  {
    title: 'D outputs (mean probability)',
    series: [
      { label: 'D(x) real', color: [44, 160, 44], value: (record) => record.realScore },
      { label: 'D(G(z)) fake', color: [214, 39, 40], value: (record) => record.fakeScore },
    ],
  },
] as const satisfies readonly { title: string; series: readonly CurveSeries[] }[];

const white: Color = [255, 255, 255];
const ink: Color = [40, 40, 40];
const gridColor: Color = [225, 225, 225];
const textScale = 2;
const lineWidth = 1.6;

/** Mixes `color` with white: the pale band behind a line that has more points than pixels. */
function pale(color: Color): Color {
  return [0, 1, 2].map((channel) => Math.round(color[channel]! + (255 - color[channel]!) * 0.7)) as unknown as Color;
}

/**
 * The top of the loss axis: the largest finite value, or a high quantile of them when the largest lies far above
 * the bulk (so that one early spike does not flatten the rest of a loss curve).
 */
function robustMaximum(records: readonly StepMetrics[], series: readonly CurveSeries[]): number {
  const values = new Float64Array(records.length * series.length);
  let count = 0;
  for (const record of records) {
    for (const item of series) {
      const value = item.value(record);
      if (typeof value === 'number' && Number.isFinite(value)) values[count++] = value;
    }
  }
  if (count === 0) return 1;
  const finite = values.subarray(0, count).sort(); // a typed array sorts numerically
  const top = finite[count - 1]!;
  const quantile = finite[Math.floor((count - 1) * 0.99)]!;
  return top <= quantile * 1.5 ? top : quantile * 1.1;
}

interface Axes {
  readonly plot: Rectangle;
  readonly xMin: number;
  readonly xMax: number;
  readonly yMin: number;
  readonly yMax: number;
}

function xPixel(axes: Axes, step: number): number {
  return axes.plot.left + ((step - axes.xMin) / (axes.xMax - axes.xMin)) * (axes.plot.right - axes.plot.left);
}

function yPixel(axes: Axes, value: number): number {
  return axes.plot.bottom - ((value - axes.yMin) / (axes.yMax - axes.yMin)) * (axes.plot.bottom - axes.plot.top);
}

function drawAxes(raster: Raster, axes: Axes, title: string, titleTop: number): void {
  const { plot } = axes;
  const glyphPixels = 7 * textScale;
  raster.text(title, plot.left, titleTop, ink, textScale);
  const yTicks = niceTicks(axes.yMin, axes.yMax, 5);
  for (const value of yTicks.values) {
    const y = Math.round(yPixel(axes, value));
    raster.fillRect(plot.left, y, plot.right - plot.left + 1, 1, gridColor);
    raster.fillRect(plot.left - 5, y, 5, 1, ink);
    const label = tickLabel(value, yTicks.step);
    raster.text(label, plot.left - 9 - textWidth(label, textScale), y - glyphPixels / 2, ink, textScale);
  }
  const labelWidth = textWidth(tickLabel(axes.xMax, 1), textScale) + 24;
  const xTicks = niceTicks(
    axes.xMin,
    axes.xMax,
    Math.max(2, Math.min(8, Math.floor((plot.right - plot.left) / labelWidth))),
  );
  for (const value of xTicks.values) {
    const x = Math.round(xPixel(axes, value));
    raster.fillRect(x, plot.top, 1, plot.bottom - plot.top + 1, gridColor);
    raster.fillRect(x, plot.bottom + 1, 1, 5, ink);
    const label = tickLabel(value, xTicks.step, axes.xMax);
    raster.text(label, x - textWidth(label, textScale) / 2, plot.bottom + 9, ink, textScale);
  }
  raster.text('step', plot.right - textWidth('step', textScale), plot.bottom + 9 + glyphPixels + 4, ink, textScale);
}

/** The left and bottom axis lines, drawn after the series so that lines never hide them. */
function drawFrame(raster: Raster, plot: Rectangle): void {
  raster.fillRect(plot.left, plot.top, 1, plot.bottom - plot.top + 1, ink);
  raster.fillRect(plot.left, plot.bottom, plot.right - plot.left + 1, 1, ink);
}

/**
 * Draws one series: a line through every point when there are fewer points than pixel columns, else, per
 * column, a pale band from the lowest to the highest value and a line through the column means. Non-finite
 * values (a diverged step) break the line.
 */
function drawSeries(raster: Raster, axes: Axes, records: readonly StepMetrics[], series: CurveSeries): void {
  const { plot } = axes;
  const clip = plot;
  const columns = plot.right - plot.left + 1;
  const present = records.filter((record) => typeof series.value(record) === 'number');
  const runs: (readonly [number, number])[][] = [[]];
  const breakLine = () => {
    if (runs[runs.length - 1]!.length > 0) runs.push([]);
  };
  if (present.length <= columns) {
    for (const record of present) {
      const step = record.step;
      const value = series.value(record)!;
      if (Number.isFinite(value)) runs[runs.length - 1]!.push([xPixel(axes, step), yPixel(axes, value)]);
      else breakLine();
    }
  } else {
    const band = pale(series.color);
    let column = -1;
    let sum = 0;
    let count = 0;
    let low = Infinity;
    let high = -Infinity;
    let broken = false;
    const closeColumn = () => {
      if (column < 0) return;
      if (count > 0) {
        const x = plot.left + column;
        const top = Math.round(yPixel(axes, Math.min(high, axes.yMax)));
        const bottom = Math.round(yPixel(axes, Math.max(low, axes.yMin)));
        if (bottom >= top)
          raster.fillRect(
            x,
            Math.max(top, plot.top),
            1,
            Math.min(bottom, plot.bottom) - Math.max(top, plot.top) + 1,
            band,
          );
        if (broken) breakLine();
        runs[runs.length - 1]!.push([x, yPixel(axes, sum / count)]);
      } else breakLine();
    };
    for (const record of present) {
      const value = series.value(record)!;
      const at = Math.min(columns - 1, Math.max(0, Math.round(xPixel(axes, record.step) - plot.left)));
      if (at !== column) {
        closeColumn();
        column = at;
        sum = 0;
        count = 0;
        low = Infinity;
        high = -Infinity;
        broken = false;
      }
      if (Number.isFinite(value)) {
        sum += value;
        count += 1;
        low = Math.min(low, value);
        high = Math.max(high, value);
      } else broken = true;
    }
    closeColumn();
  }
  for (const run of runs) if (run.length > 0) raster.polyline(run, series.color, lineWidth, clip);
}

/**
 * The legend box, in the corner of the plot (top right, top left, bottom right, bottom left) where it hides the fewest curve pixels, so that it
 * does not sit on a curve where another corner is free. Drawn after the curves.
 */
function drawLegend(raster: Raster, plot: Rectangle, series: readonly CurveSeries[]): void {
  const rowHeight = 7 * textScale + 8;
  const swatch = 22;
  const width = 10 + swatch + 8 + Math.max(...series.map((item) => textWidth(item.label, textScale))) + 10;
  const height = series.length * rowHeight + 8;
  const corners = [
    [plot.right - width - 8, plot.top + 8],
    [plot.left + 10, plot.top + 8],
    [plot.right - width - 8, plot.bottom - height - 8],
    [plot.left + 10, plot.bottom - height - 8],
  ] as const;
  const margin = 4; // a curve just outside the box still counts: the box should not touch it
  // Pixels the curves (and nothing else: not the white background, not the grid) coloured under each box.
  const hidden = corners.map(([left, top]) => {
    let count = 0;
    for (let y = Math.max(0, top - margin); y < Math.min(raster.height, top + height + margin); y += 1) {
      for (let x = Math.max(0, left - margin); x < Math.min(raster.width, left + width + margin); x += 1) {
        const offset = (y * raster.width + x) * 3;
        const [red, green, blue] = [raster.data[offset]!, raster.data[offset + 1]!, raster.data[offset + 2]!];
        if (!(red === green && green === blue && (red === 255 || red === gridColor[0]))) count += 1;
      }
    }
    return count;
  });
  const [left, top] = corners[hidden.indexOf(Math.min(...hidden))]!;
  raster.fillRect(left, top, width, height, white);
  raster.fillRect(left, top, width, 1, gridColor);
  raster.fillRect(left, top + height - 1, width, 1, gridColor);
  raster.fillRect(left, top, 1, height, gridColor);
  raster.fillRect(left + width - 1, top, 1, height, gridColor);
  series.forEach((item, index) => {
    const middle = top + 4 + index * rowHeight + rowHeight / 2;
    raster.line(left + 10, middle, left + 10 + swatch, middle, item.color, 3);
    raster.text(item.label, left + 10 + swatch + 8, middle - (7 * textScale) / 2, ink, textScale);
  });
}

function checkedSize(value: number | undefined, fallback: number, minimum: number, name: string): number {
  const size = value ?? fallback;
  if (!Number.isInteger(size) || size < minimum || size > 8192) {
    throw new TrainError(`Expected \`${name}\` to be an integer in ${minimum}..8192, got \`${size}\``);
  }
  return size;
}

/**
 * Draws training curves from metrics records (a `metrics.ndjson` read with `readMetricsFile`, or `Trainer.step()`
 * results): D and G losses in the top panel, mean D(x) and D(G(z)) in the bottom one, over steps, with axes,
 * ticks and a legend (in the corner where it hides the least of the curves). Pure: the same records give the same pixels. Records are drawn in step order.
 *
 * @example
 * const image = drawCurves((await readMetricsFile('runs/mnist/metrics.ndjson')).records);
 */
export function drawCurves(records: readonly StepMetrics[], options: CurvesOptions = {}): RawImage {
  const width = checkedSize(options.width, 900, 320, 'width');
  const height = checkedSize(options.height, 680, 240, 'height');
  const sorted = [...records].sort((a, b) => a.step - b.step);
  const raster = new Raster(width, height, white);
  const first = sorted[0]?.step ?? 0;
  const last = sorted[sorted.length - 1]?.step ?? 0;
  const xMin = sorted.length > 1 ? first : 0;
  const xMax = Math.max(xMin + 1, last);
  const panelHeight = Math.floor(height / curvePanels.length);
  curvePanels.forEach((panel, index) => {
    const panelTop = index * panelHeight;
    const plot: Rectangle = { left: 84, top: panelTop + 40, right: width - 20, bottom: panelTop + panelHeight - 52 };
    let yMax = 1;
    if (index === 0) {
      yMax = niceCeiling(robustMaximum(sorted, panel.series));
    }
    const axes: Axes = { plot, xMin, xMax, yMin: 0, yMax };
    drawAxes(raster, axes, panel.title, panelTop + 14);
    for (const series of panel.series) drawSeries(raster, axes, sorted, series);
    drawFrame(raster, plot);
    drawLegend(raster, plot, panel.series);
  });
  return raster.image();
}

/**
 * {@link drawCurves} encoded as PNG bytes.
 *
 * @example
 * const png = await renderCurvesPng(records);
 */
export async function renderCurvesPng(
  records: readonly StepMetrics[],
  options: CurvesOptions = {},
): Promise<Uint8Array> {
  return encodePng(drawCurves(records, options));
}
