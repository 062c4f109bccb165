import * as tf from '@tensorflow/tfjs-core';

import type { RawImage } from '@dcgan/data';

import { FacesError } from '../errors/faces-error';
import type { FaceBox } from './face-box';
import { faceApiModelDirectory, loadFaceApi, type FaceApiNetwork } from './load-face-api';

/** The detectors whose weights ship in @vladmandic/face-api. */
export const faceDetectorModels = ['ssd-mobilenet-v1', 'tiny-face-detector'] as const;
export type FaceDetectorModel = (typeof faceDetectorModels)[number];

export interface FaceDetectorOptions {
  /**
   * `ssd-mobilenet-v1` (5.6 MB, 512 px input) finds small, turned and downcast faces that the tiny detector misses;
   * `tiny-face-detector` (190 kB, 608 px input) runs about twice as fast and draws looser, squarer boxes.
   * @default 'ssd-mobilenet-v1'
   */
  readonly model?: FaceDetectorModel;
  /** Boxes scoring below this are not reported at all. @default 0.3 */
  readonly minimumScore?: number;
  /** At most this many boxes per image. @default 100 */
  readonly maximumFaces?: number;
}

/** A loaded face detector. Holds its weights as tensors until `dispose()`. */
export interface FaceDetector {
  readonly model: FaceDetectorModel;
  /** Boxes scoring below this are not reported. */
  readonly minimumScore: number;
  /**
   * Finds faces in an RGB (or gray / RGBA: converted) image; boxes are in that image's pixels, clamped to it, best
   * score first. Leaves no tensors behind.
   */
  detect(image: RawImage): Promise<FaceBox[]>;
  /** Frees the weights. Safe to call more than once. */
  dispose(): void;
}

function validate(options: FaceDetectorOptions): Required<FaceDetectorOptions> {
  const model = options.model ?? 'ssd-mobilenet-v1';
  const minimumScore = options.minimumScore ?? 0.3;
  const maximumFaces = options.maximumFaces ?? 100;
  if (!faceDetectorModels.includes(model)) {
    throw new FacesError(`Expected \`model\` to be one of ${faceDetectorModels.join(', ')}, got \`${String(model)}\``);
  }
  if (!(minimumScore >= 0 && minimumScore <= 1))
    throw new FacesError(`Expected \`minimumScore\` to be in [0, 1], got \`${minimumScore}\``);
  if (!Number.isInteger(maximumFaces) || maximumFaces < 1) {
    throw new FacesError(`Expected \`maximumFaces\` to be a positive integer, got \`${maximumFaces}\``);
  }
  return { model, minimumScore, maximumFaces };
}

function toRgbTensor(image: RawImage): tf.Tensor3D {
  const { width, height, channels, data } = image;
  if (data.length !== width * height * channels) {
    throw new FacesError(
      `Expected an image of ${width}x${height}x${channels} = ${width * height * channels} bytes, got \`${data.length}\``,
    );
  }
  return tf.tidy(() => {
    const pixels = tf.tensor3d(data, [height, width, channels], 'int32');
    if (channels === 3) return pixels;
    if (channels === 4) return tf.slice(pixels, [0, 0, 0], [height, width, 3]);
    const gray = tf.slice(pixels, [0, 0, 0], [height, width, 1]);
    return tf.concat([gray, gray, gray], 2);
  });
}

/**
 * Loads a face detector whose weights ship in the @vladmandic/face-api npm package: nothing is fetched at run time.
 * It runs on whatever tfjs backend is current (start one first, e.g. with `initBackend()` from @dcgan/backend).
 *
 * @example
 * const detector = await createFaceDetector({ model: 'ssd-mobilenet-v1' });
 * const boxes = await detector.detect(rgbImage);
 * detector.dispose();
 */
export async function createFaceDetector(options: FaceDetectorOptions = {}): Promise<FaceDetector> {
  const { model, minimumScore, maximumFaces } = validate(options);
  const faceApi = loadFaceApi();
  const network: FaceApiNetwork =
    model === 'ssd-mobilenet-v1' ? new faceApi.SsdMobilenetv1() : new faceApi.TinyFaceDetector();
  const directory = faceApiModelDirectory();
  try {
    await network.loadFromDisk(directory);
  } catch (error) {
    network.dispose();
    throw new FacesError(`${directory}: cannot load the ${model} weights: ${(error as Error).message}`, {
      cause: error,
      file: directory,
    });
  }
  const detectorOptions =
    model === 'ssd-mobilenet-v1'
      ? new faceApi.SsdMobilenetv1Options({ minConfidence: minimumScore, maxResults: maximumFaces })
      : new faceApi.TinyFaceDetectorOptions({ inputSize: 608, scoreThreshold: minimumScore });
  let disposed = false;

  return {
    model,
    minimumScore,
    async detect(image: RawImage): Promise<FaceBox[]> {
      if (disposed) throw new FacesError('This face detector was disposed');
      const input = toRgbTensor(image);
      let detections: Awaited<ReturnType<typeof network.locateFaces>>;
      try {
        detections = await network.locateFaces(input, detectorOptions);
      } finally {
        input.dispose();
      }
      const boxes: FaceBox[] = [];
      for (const { box, score } of detections) {
        const left = Math.max(0, box.x);
        const top = Math.max(0, box.y);
        const right = Math.min(image.width, box.x + box.width);
        const bottom = Math.min(image.height, box.y + box.height);
        if (right <= left || bottom <= top) continue;
        boxes.push({ left, top, width: right - left, height: bottom - top, score });
      }
      boxes.sort((first, second) => second.score - first.score);
      return boxes.slice(0, maximumFaces);
    },
    dispose(): void {
      if (disposed) return;
      disposed = true;
      network.dispose();
    },
  };
}
