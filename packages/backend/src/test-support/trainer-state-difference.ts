import type { TrainerState } from '@dcgan/core';
import { expect } from 'vitest';

/** The parts of a trainer state that {@link largestDifference} compares. */
export type StateGroup = 'generator' | 'discriminator' | 'generatorOptimizer' | 'discriminatorOptimizer';

/**
 * The largest |a - b| over the tensors of two trainer states (weights, running statistics, Adam slots), after checking
 * that both hold the same tensors in the same order (names may differ by tfjs's uniquifying suffixes between trainers).
 */
export function largestDifference(
  a: TrainerState,
  b: TrainerState,
  groups: readonly StateGroup[] = ['generator', 'discriminator', 'generatorOptimizer', 'discriminatorOptimizer'],
): number {
  let largest = 0;
  for (const group of groups) {
    expect(a[group].map((tensor) => tensor.shape)).toEqual(b[group].map((tensor) => tensor.shape));
    for (const [index, tensor] of a[group].entries()) {
      const other = b[group][index]!;
      for (let element = 0; element < tensor.values.length; element++)
        largest = Math.max(largest, Math.abs(tensor.values[element]! - other.values[element]!));
    }
  }
  return largest;
}
