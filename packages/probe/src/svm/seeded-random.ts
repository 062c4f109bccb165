/** A small, fast, seeded generator (splitmix32-style mixing of a Weyl sequence). */
export interface SeededRandom {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, bound). */
  integer(bound: number): number;
}

/**
 * A reproducible random stream: the same seed gives the same numbers on every platform.
 *
 * @example
 * ```ts
 * const random = createRandom(7);
 * random.integer(10); // always the same digit for seed 7
 * ```
 */
export function createRandom(seed: number): SeededRandom {
  let state = (seed >>> 0) ^ 0x9e3779b9;
  const nextUint32 = (): number => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  return {
    next: () => nextUint32() / 4294967296,
    integer: (bound) => Math.floor((nextUint32() / 4294967296) * bound),
  };
}

/** Mixes integers into one 32-bit seed (for per-class / per-draw streams derived from one run seed). */
export function mixSeeds(...parts: readonly number[]): number {
  let hash = 0x811c9dc5;
  for (const part of parts) {
    hash = Math.imul(hash ^ (part >>> 0), 0x01000193) >>> 0;
    hash = Math.imul(hash ^ (hash >>> 15), 0x2c1b3c6d) >>> 0;
  }
  return hash >>> 0;
}

/** Fisher-Yates shuffle of `values[0..length)` in place. */
export function shuffleInPlace(values: Int32Array | Uint32Array | number[], random: SeededRandom, length = values.length): void {
  for (let index = length - 1; index > 0; index--) {
    const other = random.integer(index + 1);
    const swap = values[index]!;
    values[index] = values[other]!;
    values[other] = swap;
  }
}
