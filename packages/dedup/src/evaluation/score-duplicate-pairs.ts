import { DedupError } from '../errors/dedup-error';
import type { DuplicateGroups } from '../group/duplicate-groups';
import { plantedKinds, type PlantedDuplicate, type PlantedKind } from './plant-near-duplicates';

/** Precision and recall of the item pairs that a grouping puts together, against planted duplicates. */
export interface PairScore {
  /** Pairs of items sharing a group (a group of k items asserts k * (k - 1) / 2 duplicate pairs). */
  readonly reportedPairs: number;
  /** Reported pairs that are planted (original, copy) pairs. */
  readonly truePositives: number;
  /** Every other reported pair, natural look-alikes included (strict counting). */
  readonly falsePositives: number;
  /** truePositives / reportedPairs (1 when nothing is reported). */
  readonly precision: number;
  /** truePositives / planted pairs. */
  readonly recall: number;
  readonly recallByKind: Readonly<Record<PlantedKind, number>>;
  /** Up to `maximumListedFalsePairs` false pairs, as item positions [smaller, larger]. */
  readonly falsePairs: readonly (readonly [number, number])[];
  /** Planted pairs that were missed, as indices into the `planted` list. */
  readonly missed: readonly number[];
}

/**
 * Scores groups against planted duplicates. `itemOf[position]` maps a grouped position (hashed list) to the item
 * number used by `planted` (for `hashSource` results, `hashes.indices`).
 *
 * @example
 * const score = scoreDuplicatePairs(findDuplicateGroups(hashes), hashes.indices, planted);
 * console.log(score.precision, score.recall);
 */
export function scoreDuplicatePairs(
  groups: DuplicateGroups,
  itemOf: Int32Array,
  planted: readonly PlantedDuplicate[],
  maximumListedFalsePairs = 1000,
): PairScore {
  if (itemOf.length !== groups.itemCount)
    throw new DedupError(`Expected \`itemOf\` to map all ${groups.itemCount} grouped positions, got ${itemOf.length}`);
  const truth = new Map<number, number>();
  const pairKey = (first: number, second: number) =>
    first < second ? first * 2 ** 26 + second : second * 2 ** 26 + first;
  planted.forEach((pair, index) => truth.set(pairKey(pair.original, pair.copy), index));
  const found = new Uint8Array(planted.length);
  let reportedPairs = 0;
  let truePositives = 0;
  const falsePairs: [number, number][] = [];
  for (let group = 0; group < groups.groupCount; group += 1) {
    const from = groups.groupStarts[group]!;
    const to = groups.groupStarts[group + 1]!;
    for (let left = from; left < to; left += 1) {
      const first = itemOf[groups.members[left]!]!;
      for (let right = left + 1; right < to; right += 1) {
        const second = itemOf[groups.members[right]!]!;
        reportedPairs += 1;
        const plantedIndex = truth.get(pairKey(first, second));
        if (plantedIndex !== undefined) {
          truePositives += 1;
          found[plantedIndex] = 1;
        } else if (falsePairs.length < maximumListedFalsePairs) {
          falsePairs.push(first < second ? [first, second] : [second, first]);
        }
      }
    }
  }
  const recallByKind = Object.fromEntries(
    plantedKinds.map((kind) => {
      const ofKind = planted.map((pair, index) => ({ pair, index })).filter(({ pair }) => pair.kind === kind);
      return [
        kind,
        ofKind.length === 0 ? Number.NaN : ofKind.filter(({ index }) => found[index] === 1).length / ofKind.length,
      ];
    }),
  ) as Record<PlantedKind, number>;
  return {
    reportedPairs,
    truePositives,
    falsePositives: reportedPairs - truePositives,
    precision: reportedPairs === 0 ? 1 : truePositives / reportedPairs,
    recall: planted.length === 0 ? Number.NaN : truePositives / planted.length,
    recallByKind,
    falsePairs,
    missed: planted.map((_, index) => index).filter((index) => found[index] === 0),
  };
}
