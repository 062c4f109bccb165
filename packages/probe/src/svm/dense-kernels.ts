// The two loops the solver spends its time in. Kept monomorphic (always a Float32Array row and a
// Float64Array weight vector) so V8 compiles each once; four accumulators break the add dependency chain.

/** `x . w` in float64. */
export function dot(x: Float32Array, w: Float64Array): number {
  const length = x.length;
  let sum0 = 0;
  let sum1 = 0;
  let sum2 = 0;
  let sum3 = 0;
  let index = 0;
  for (; index + 3 < length; index += 4) {
    sum0 += x[index]! * w[index]!;
    sum1 += x[index + 1]! * w[index + 1]!;
    sum2 += x[index + 2]! * w[index + 2]!;
    sum3 += x[index + 3]! * w[index + 3]!;
  }
  for (; index < length; index++) sum0 += x[index]! * w[index]!;
  return sum0 + sum1 + (sum2 + sum3);
}

/** `x . x` in float64. */
export function squaredNorm(x: Float32Array): number {
  const length = x.length;
  let sum0 = 0;
  let sum1 = 0;
  let index = 0;
  for (; index + 1 < length; index += 2) {
    sum0 += x[index]! * x[index]!;
    sum1 += x[index + 1]! * x[index + 1]!;
  }
  for (; index < length; index++) sum0 += x[index]! * x[index]!;
  return sum0 + sum1;
}

/** `w += scale * x`. */
export function addScaled(w: Float64Array, scale: number, x: Float32Array): void {
  const length = x.length;
  let index = 0;
  for (; index + 3 < length; index += 4) {
    w[index]! += scale * x[index]!;
    w[index + 1]! += scale * x[index + 1]!;
    w[index + 2]! += scale * x[index + 2]!;
    w[index + 3]! += scale * x[index + 3]!;
  }
  for (; index < length; index++) w[index]! += scale * x[index]!;
}
