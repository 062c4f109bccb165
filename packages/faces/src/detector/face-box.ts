/** A detected face: a rectangle in the pixels of the (EXIF-oriented) photo, and the detector's confidence. */
export interface FaceBox {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
  /** Detector confidence in [0, 1]. */
  readonly score: number;
}
