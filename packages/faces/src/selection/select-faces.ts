import { squareRegionWithMargin, type PixelRegion } from '@dcgan/data';

import type { FaceBox } from '../detector/face-box';

/** Why a detected box was not kept. */
export const rejectionReasons = ['low-score', 'too-small'] as const;
export type RejectionReason = (typeof rejectionReasons)[number];

/** The verdict on one detected box. */
export interface FaceDecision {
  readonly box: FaceBox;
  /** The square crop: the box grown by `margin` of its longer side on each side, kept inside the photo. */
  readonly region: PixelRegion;
  readonly kept: boolean;
  /** Set when not kept. A box that fails both tests is `low-score` (it may not be a face at all). */
  readonly reason: RejectionReason | undefined;
}

export interface SelectFacesOptions {
  /** Shortest side, in photo pixels, a box needs to be kept. */
  readonly minimumSize: number;
  /** Detector score a box needs to be kept. */
  readonly minimumScore: number;
  /** Margin added on each side of the square crop, as a fraction of the box's longer side. */
  readonly margin: number;
  /** Photo size, to keep crops inside it. */
  readonly width: number;
  readonly height: number;
}

/**
 * Keeps the boxes that are large and confident enough, the paper's "high enough resolution" test, and gives each
 * its square crop region (the same geometry as @dcgan/data's `squareRegionWithMargin`, which its face-crop source
 * uses, so a boxes file re-crops to the very same squares).
 *
 * @example
 * const decisions = selectFaces(boxes, { minimumSize: 64, minimumScore: 0.5, margin: 0.25, width: 1920, height: 1280 });
 */
export function selectFaces(boxes: readonly FaceBox[], options: SelectFacesOptions): FaceDecision[] {
  return boxes.map((box) => {
    const region = squareRegionWithMargin(box, options.margin, options.width, options.height);
    const reason: RejectionReason | undefined =
      box.score < options.minimumScore
        ? 'low-score'
        : Math.min(box.width, box.height) < options.minimumSize
          ? 'too-small'
          : undefined;
    return { box, region, kept: reason === undefined, reason };
  });
}
