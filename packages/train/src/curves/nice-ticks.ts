/** Decimals that print multiples of a 1/2/5 x 10^k `step` exactly (0 for whole steps). */
function decimals(step: number): number {
  return step >= 1 ? 0 : Math.min(9, Math.ceil(-Math.log10(step) - 1e-9));
}

/**
 * Tick positions for an axis from `min` to `max`: multiples of a step of 1, 2 or 5 times a power of ten, about
 * `count` of them (the 1/2/5 step nearest to span / `count`), all inside [min, max].
 *
 * @example
 * niceTicks(0, 2.7, 5); // { step: 0.5, values: [0, 0.5, 1, 1.5, 2, 2.5] }
 */
export function niceTicks(min: number, max: number, count: number): { step: number; values: number[] } {
  const span = max - min;
  if (!(span > 0) || !Number.isFinite(span)) return { step: 1, values: [min] };
  const rough = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(rough));
  // The 1/2/5 step nearest to span / count on a log scale (so 7.4 rounds to 10, 0.54 to 0.5).
  const distance = (candidate: number) => Math.abs(Math.log(candidate / rough));
  const step = [1, 2, 5, 10]
    .map((multiple) => multiple * power)
    .reduce((best, candidate) => (distance(candidate) < distance(best) ? candidate : best));
  const values: number[] = [];
  for (let index = Math.ceil(min / step - 1e-9); index * step <= max + step * 1e-9; index += 1) {
    values.push(Number((index * step).toFixed(decimals(step))));
  }
  return { step, values };
}

/** The smallest of 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 x 10^k at or above `value` (a y axis maximum); 1 for no data. */
export function niceCeiling(value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return (
    ([1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].find((multiple) => multiple * power >= value * (1 - 1e-12)) ?? 10) * power
  );
}

/**
 * A tick label: whole numbers as they are, or in thousands (`k`) / millions (`M`) on an axis that reaches 10,000
 * / 10,000,000 (`axisMaximum`) where the value is a round thousand / million (long runs); fractions with as
 * many decimals as the tick step needs.
 *
 * @example
 * tickLabel(25000, 5000); // '25k'
 * tickLabel(5000, 5000, 25000); // '5k'
 * tickLabel(0.25, 0.05);  // '0.25'
 */
export function tickLabel(value: number, step: number, axisMaximum = Math.abs(value)): string {
  if (step >= 1) {
    const whole = Math.round(value);
    if (whole === 0) return '0';
    if (axisMaximum >= 10_000_000 && whole % 1_000_000 === 0) return `${whole / 1_000_000}M`;
    if (axisMaximum >= 10_000 && whole % 1000 === 0) return `${whole / 1000}k`;
    return String(whole);
  }
  return value.toFixed(decimals(step));
}
