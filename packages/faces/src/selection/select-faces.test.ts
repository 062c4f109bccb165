import { describe, expect, it } from 'vitest';

import { squareRegionWithMargin } from '@dcgan/data';

import { selectFaces } from './select-faces';

const photo = { width: 1920, height: 1280 };

describe('selectFaces', () => {
  it('keeps boxes whose shorter side and score reach the minimums, and names why others are rejected', () => {
    const decisions = selectFaces(
      [
        { left: 100, top: 100, width: 80, height: 120, score: 0.9 }, // shorter side 80: kept at 64
        { left: 400, top: 100, width: 63, height: 200, score: 0.99 }, // shorter side 63: too small
        { left: 800, top: 100, width: 200, height: 200, score: 0.49 }, // large but unsure
        { left: 1200, top: 100, width: 20, height: 20, score: 0.1 }, // both: low-score wins
        { left: 1500, top: 100, width: 64, height: 64, score: 0.5 }, // exactly at both limits: kept
      ],
      { minimumSize: 64, minimumScore: 0.5, margin: 0.2, ...photo },
    );
    expect(decisions.map((decision) => [decision.kept, decision.reason])).toEqual([
      [true, undefined],
      [false, 'too-small'],
      [false, 'low-score'],
      [false, 'low-score'],
      [true, undefined],
    ]);
  });

  it('crops the square that @dcgan/data squareRegionWithMargin gives, inside the photo', () => {
    const box = { left: 1850, top: 10, width: 60, height: 90, score: 1 };
    const [decision] = selectFaces([box], { minimumSize: 1, minimumScore: 0, margin: 0.25, ...photo });
    expect(decision?.region).toEqual(squareRegionWithMargin(box, 0.25, photo.width, photo.height));
    // 90 * (1 + 2 * 0.25) = 135, shifted left and down to stay inside the 1920 x 1280 photo.
    expect(decision?.region).toEqual({ left: 1785, top: 0, width: 135, height: 135 });
  });
});
