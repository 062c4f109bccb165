import { describe, expect, it } from 'vitest';

import { mixSeed } from '@dcgan/common';
import { resolveProtocol } from './linear-probe-options';
import { drawProbeSplit, holdOutValidation } from './probe-split';
import { drawPerClass, stratifiedSplit } from './stratified-split';

const labels = Int32Array.from({ length: 120 }, (_, position) => (position * 7) % 4);
const settings = resolveProtocol({
  dataset: 'split test',
  train: { source: { randomAccess: true, length: 120 } as never },
  test: { source: { randomAccess: true, length: 1 } as never },
  methods: [{ kind: 'pixels' }],
  validationSize: 20,
  labelsPerClass: 5,
  draws: 3,
  selectionDraws: 2,
  seed: 7,
});

describe('the probe split, drawn from the labels before decoding', () => {
  it('is the split and draws of the decoded-images protocol when every image decodes (same seeds, same order)', () => {
    const every = Int32Array.from(labels.keys());
    const split = drawProbeSplit(settings, holdOutValidation(settings, labels), every);
    // The protocol as it was: the split drawn among the decoded positions, the draws from its pool.
    const { heldOut, rest } = stratifiedSplit(labels, 20, { candidates: every, seed: mixSeed(7, 1) });
    expect(Array.from(split.validation)).toEqual(Array.from(heldOut));
    expect(Array.from(split.pool)).toEqual(Array.from(rest));
    expect(split.testDraws.map((draw) => Array.from(draw))).toEqual(
      [0, 1, 2].map((index) => Array.from(drawPerClass(labels, 5, { candidates: rest, seed: mixSeed(7, 2, index) }))),
    );
    expect(split.selectionDraws.map((draw) => Array.from(draw))).toEqual(
      [0, 1].map((index) => Array.from(drawPerClass(labels, 5, { candidates: rest, seed: mixSeed(7, 3, index) }))),
    );
  });

  it('drops an image that did not decode from the part it was drawn into, and never draws it', () => {
    const heldOut = holdOutValidation(settings, labels);
    const lostValidation = heldOut.validation[3]!;
    const lostPool = heldOut.pool[10]!;
    const decoded = Int32Array.from(labels.keys()).filter(
      (position) => position !== lostValidation && position !== lostPool,
    );
    const split = drawProbeSplit(settings, heldOut, decoded);
    expect(Array.from(split.validation)).toEqual(
      Array.from(heldOut.validation).filter((position) => position !== lostValidation),
    );
    expect(Array.from(split.pool)).toEqual(Array.from(heldOut.pool).filter((position) => position !== lostPool));
    for (const draw of [...split.testDraws, ...split.selectionDraws]) {
      expect(draw).toHaveLength(20);
      expect(Array.from(draw)).not.toContain(lostPool);
      expect(Array.from(draw).every((position) => split.pool.includes(position))).toBe(true);
    }
  });
});
