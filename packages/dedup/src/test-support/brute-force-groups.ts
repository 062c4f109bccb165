import { codeBytesOf } from '../group/binary-code';
import type { CodesToGroup } from '../group/find-duplicate-groups';

/**
 * Quadratic reference for `findDuplicateGroups`: compares every pair bit by bit (no tables, no early exits,
 * no shared helpers) and returns each item's group as its kept item: the first item, in order, that it matches
 * directly (groups never chain).
 */
export function bruteForceGroupLeaders(input: CodesToGroup, radius: number, probeRadius = radius): Int32Array {
  const { codes, codeBits, count } = input;
  const codeBytes = codeBytesOf(codeBits);
  const probes = input.probesPerItem ?? 0;
  const bit = (bytes: Uint8Array, item: number, index: number) =>
    (bytes[item * codeBytes + (index >> 3)]! >> (index & 7)) & 1;
  const distance = (left: Uint8Array, first: number, second: number) => {
    let total = 0;
    for (let index = 0; index < codeBits; index += 1) total += bit(left, first, index) ^ bit(codes, second, index);
    return total;
  };
  const adjacency: number[][] = Array.from({ length: count }, () => []);
  for (let first = 0; first < count; first += 1) {
    for (let second = first + 1; second < count; second += 1) {
      if (distance(codes, first, second) <= radius) {
        adjacency[first]!.push(second);
        adjacency[second]!.push(first);
      }
    }
    for (let probe = 0; probe < probes; probe += 1) {
      for (let other = 0; other < count; other += 1) {
        if (other !== first && distance(input.probeCodes!, first * probes + probe, other) <= probeRadius) {
          adjacency[first]!.push(other);
          adjacency[other]!.push(first);
        }
      }
    }
  }
  // No chaining: in item order, an item not yet taken keeps its place and takes every later untaken item that
  // matches it directly.
  const leader = new Int32Array(count).fill(-1);
  for (let item = 0; item < count; item += 1) {
    if (leader[item] !== -1) continue;
    leader[item] = item;
    for (const next of adjacency[item]!) if (next > item && leader[next] === -1) leader[next] = item;
  }
  return leader;
}
