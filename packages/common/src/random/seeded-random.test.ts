import { describe, expect, it } from 'vitest';

import { createPermutation, createSeededRandom, mulberry32, randomInteger, shuffleInPlace } from './seeded-random';
import { deriveSeed, mixSeed } from './seed-mixing';

// The values below were printed by the generators these functions replace (@dcgan/data's createSeededRandom
// and mixSeed, @dcgan/core's deriveSeed, @dcgan/latent's derivedSeed and its generator, at 1705e31): the seeded orders of
// existing runs (batch order, splits, flips, initial weights, latent noise) must not change.
describe('createSeededRandom', () => {
  it('gives the same stream as before for a seed, also one past 32 bits', () => {
    const random = createSeededRandom(42);
    expect([random(), random(), random()]).toEqual([0.331889676861465, 0.021287074778228998, 0.22931526601314545]);
    const big = createSeededRandom(2 ** 40 + 7);
    expect([big(), big()]).toEqual([0.5110774759668857, 0.7047686921432614]);
  });

  it('is mulberry32 from the mixed seed; mulberry32 alone gives the stream @dcgan/latent drew its negatives from', () => {
    const mixed = createSeededRandom(9);
    const direct = mulberry32(mixSeed(9));
    expect([mixed(), mixed()]).toEqual([direct(), direct()]);
    const negatives = mulberry32(deriveSeed('dcgan-latent', 3, 'negatives'));
    expect([negatives(), negatives(), negatives()]).toEqual([
      0.5354664353653789, 0.629797616507858, 0.8422781019471586,
    ]);
  });

  it('stays in [0, 1) and covers it evenly', () => {
    const random = createSeededRandom(7);
    const counts = new Array<number>(10).fill(0);
    for (let index = 0; index < 100_000; index++) {
      const value = random();
      expect(value >= 0 && value < 1).toBe(true);
      counts[randomInteger(() => value, 10)]! += 1;
    }
    // Each decile holds 10,000 +- 5 standard deviations (sqrt(100000 * 0.1 * 0.9) = 95).
    for (const count of counts) expect(Math.abs(count - 10_000)).toBeLessThan(475);
  });
});

describe('mixSeed and deriveSeed', () => {
  it('give the same seeds as before', () => {
    expect([mixSeed(1, 2, 3), mixSeed(2 ** 33 + 5, 0x5f11), mixSeed(7)]).toEqual([60634931, 4191633527, 2038351931]);
    expect([deriveSeed(1, 'generator'), deriveSeed(123, 'step', 7), deriveSeed(5, 'kid')]).toEqual([
      1684258391, 271641426, 319098466,
    ]);
    // @dcgan/latent's seeds: its own name first.
    expect([deriveSeed('dcgan-latent', 1, 'walk'), deriveSeed('dcgan-latent', 9, 'negatives')]).toEqual([
      910032923, 709938609,
    ]);
  });

  it('mixSeed depends on the order of its values; deriveSeed is a positive 31-bit integer', () => {
    expect(mixSeed(1, 2)).not.toBe(mixSeed(2, 1));
    for (let seed = 0; seed < 1000; seed++) {
      const derived = deriveSeed(seed, 'x');
      expect(Number.isInteger(derived) && derived > 0 && derived < 2 ** 31).toBe(true);
    }
  });
});

describe('createPermutation and shuffleInPlace', () => {
  it('gives the same order as before', () => {
    expect(Array.from(createPermutation(10, createSeededRandom(mixSeed(3, 1))))).toEqual([
      0, 3, 7, 5, 1, 4, 9, 8, 2, 6,
    ]);
  });

  it('is a permutation, and shuffling a prefix leaves the rest in place', () => {
    const order = createPermutation(1000, createSeededRandom(5));
    expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, index) => index));
    const values = [0, 1, 2, 3, 4, 5, 6, 7];
    shuffleInPlace(values, createSeededRandom(1), 4);
    expect(values.slice(4)).toEqual([4, 5, 6, 7]);
    expect([...values.slice(0, 4)].sort()).toEqual([0, 1, 2, 3]);
  });

  it('puts every item at every place about equally often (Fisher-Yates is unbiased)', () => {
    const random = createSeededRandom(11);
    const counts = Array.from({ length: 4 }, () => new Array<number>(4).fill(0));
    for (let trial = 0; trial < 40_000; trial++) {
      const order = createPermutation(4, random);
      order.forEach((item, place) => (counts[item]![place]! += 1));
    }
    // 10,000 expected in each cell; 5 standard deviations is about 433.
    for (const row of counts) for (const count of row) expect(Math.abs(count - 10_000)).toBeLessThan(433);
  });
});
