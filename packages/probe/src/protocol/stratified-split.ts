import { createSeededRandom, shuffleInPlace } from '@dcgan/common';
import { ProbeError, describeValue } from '../errors/probe-error';

/** Positions of each label, ascending, in a map from label to positions. */
export function positionsByClass(labels: ArrayLike<number>, candidates?: ArrayLike<number>): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  const count = candidates?.length ?? labels.length;
  for (let index = 0; index < count; index++) {
    const position = candidates === undefined ? index : candidates[index]!;
    const label = labels[position];
    if (label === undefined || !Number.isInteger(label) || label < 0) {
      throw new ProbeError(
        `Expected a class label >= 0 at position ${position}, got \`${describeValue(label)}\` (unlabelled images cannot be probed)`,
      );
    }
    let group = groups.get(label);
    if (group === undefined) {
      group = [];
      groups.set(label, group);
    }
    group.push(position);
  }
  return new Map([...groups.entries()].sort((a, b) => a[0] - b[0]));
}

/**
 * Draws `perClass` positions of every class from `candidates` (default: all), without replacement,
 * seeded; returned grouped by class, ascending label. Fails when a class has fewer candidates.
 *
 * @example
 * ```ts
 * const labelled = drawPerClass(trainLabels, 100, { candidates: pool, seed: draw }); // 1,000 positions for 10 classes
 * ```
 */
export function drawPerClass(
  labels: ArrayLike<number>,
  perClass: number,
  options: { readonly candidates?: ArrayLike<number>; readonly seed?: number } = {},
): Int32Array {
  if (!Number.isInteger(perClass) || perClass < 1)
    throw new ProbeError(`Expected \`labelsPerClass\` to be a positive integer, got \`${describeValue(perClass)}\``);
  const groups = positionsByClass(labels, options.candidates);
  const random = createSeededRandom(options.seed ?? 0);
  const drawn: number[] = [];
  for (const [label, positions] of groups) {
    if (positions.length < perClass) {
      throw new ProbeError(
        `Cannot draw ${perClass} labelled images of class ${label}: only ${positions.length} are available`,
      );
    }
    const copy = positions.slice();
    shuffleInPlace(copy, random);
    drawn.push(...copy.slice(0, perClass).sort((a, b) => a - b));
  }
  return Int32Array.from(drawn);
}

/**
 * Splits positions into a held-out part of `heldOutSize` and the rest, stratified: each class gives its
 * share (largest remainders so the sizes add up exactly), chosen at random (seeded).
 *
 * @example
 * ```ts
 * const { heldOut: validation, rest: pool } = stratifiedSplit(trainLabels, 10_000, { seed: 1 });
 * ```
 */
export function stratifiedSplit(
  labels: ArrayLike<number>,
  heldOutSize: number,
  options: { readonly candidates?: ArrayLike<number>; readonly seed?: number } = {},
): { readonly heldOut: Int32Array; readonly rest: Int32Array } {
  const groups = positionsByClass(labels, options.candidates);
  const total = [...groups.values()].reduce((sum, positions) => sum + positions.length, 0);
  if (!Number.isInteger(heldOutSize) || heldOutSize < 0 || heldOutSize >= total) {
    throw new ProbeError(
      `Expected the held-out size to be an integer in 0..${total - 1} (there are ${total} images), got \`${describeValue(heldOutSize)}\``,
    );
  }
  const shares = [...groups.entries()].map(([label, positions]) => {
    const exact = (heldOutSize * positions.length) / total;
    return { label, positions, count: Math.floor(exact), remainder: exact - Math.floor(exact) };
  });
  let missing = heldOutSize - shares.reduce((sum, share) => sum + share.count, 0);
  for (const share of [...shares].sort((a, b) => b.remainder - a.remainder || a.label - b.label)) {
    if (missing === 0) break;
    share.count++;
    missing--;
  }
  const random = createSeededRandom(options.seed ?? 0);
  const heldOut: number[] = [];
  const rest: number[] = [];
  for (const share of shares) {
    const copy = share.positions.slice();
    shuffleInPlace(copy, random);
    heldOut.push(...copy.slice(0, share.count));
    rest.push(...copy.slice(share.count));
  }
  return { heldOut: Int32Array.from(heldOut.sort((a, b) => a - b)), rest: Int32Array.from(rest.sort((a, b) => a - b)) };
}
