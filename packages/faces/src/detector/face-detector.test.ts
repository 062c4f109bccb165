import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '@dcgan/backend';

import { FacesError } from '../errors/faces-error';
import { shrinkForDetection } from '../photos/decode-photo';
import {
  extractRaw,
  intersectionOverUnion,
  readMnistDigit,
  readSamplePhoto,
  resizeRaw,
  sample5Faces,
} from '../test-support/sample-photos';
import { createFaceDetector, type FaceDetector } from './face-detector';

let detector: FaceDetector;

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  detector = await createFaceDetector({ model: 'ssd-mobilenet-v1', minimumScore: 0.5 });
});

afterAll(() => detector?.dispose());

describe('createFaceDetector (SSD-MobileNet v1, weights from the face-api package)', () => {
  it('finds the five faces a person sees in sample5.jpg, each box on a face', async () => {
    const photo = await readSamplePhoto(5);
    expect([photo.width, photo.height]).toEqual([1920, 1398]);
    const { image, scaleX, scaleY } = await shrinkForDetection(photo, 1024);
    const boxes = (await detector.detect(image)).map((box) => ({
      left: box.left * scaleX,
      top: box.top * scaleY,
      width: box.width * scaleX,
      height: box.height * scaleY,
      score: box.score,
    }));

    expect(Math.abs(boxes.length - sample5Faces.length)).toBeLessThanOrEqual(1);
    // Every face a person sees is covered by a box...
    for (const face of sample5Faces) {
      const best = Math.max(...boxes.map((box) => intersectionOverUnion(face, box)));
      expect(best, face.name).toBeGreaterThan(0.4);
    }
    // ...and every box lies on one of those faces.
    for (const box of boxes) {
      const best = Math.max(...sample5Faces.map((face) => intersectionOverUnion(face, box)));
      expect(best, `box at ${Math.round(box.left)},${Math.round(box.top)}`).toBeGreaterThan(0.4);
    }
    // Best score first.
    expect(boxes.map((box) => box.score)).toEqual([...boxes.map((box) => box.score)].sort((a, b) => b - a));
  });

  it('finds no face in an upscaled handwritten MNIST digit', async () => {
    for (const [digit, index] of [
      [3, 0],
      [8, 5],
    ] as const) {
      const image = await resizeRaw(await readMnistDigit(digit, index), 448, 448);
      expect(image.channels).toBe(1);
      expect(await detector.detect(image)).toEqual([]);
    }
  });

  it('finds no face in a part of a real photo that shows only window blinds', async () => {
    // sample6.jpg, top left: window blinds and a door frame, above everyone's head (checked by eye).
    const photo = await readSamplePhoto(6);
    const blinds = await extractRaw(photo, { left: 0, top: 0, width: 560, height: 360 });
    expect(await detector.detect(blinds)).toEqual([]);
  });

  it('leaves no tensors behind across detections', async () => {
    const image = await resizeRaw(await readSamplePhoto(1), 640, 427);
    await detector.detect(image);
    const before = tf.memory().numTensors;
    for (let step = 0; step < 3; step += 1) await detector.detect(image);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects use after dispose and bad options, naming them', async () => {
    await expect(createFaceDetector({ model: 'yolo' as never })).rejects.toThrow(
      'Expected `model` to be one of ssd-mobilenet-v1, tiny-face-detector, got `yolo`',
    );
    await expect(createFaceDetector({ minimumScore: 2 })).rejects.toThrow(FacesError);
    const other = await createFaceDetector({ model: 'tiny-face-detector' });
    other.dispose();
    other.dispose();
    await expect(other.detect(await readMnistDigit(1, 0))).rejects.toThrow('disposed');
  });
});

describe('createFaceDetector (tiny face detector)', () => {
  it('finds at least four of the five faces in sample5.jpg, all on faces', async () => {
    const tiny = await createFaceDetector({ model: 'tiny-face-detector', minimumScore: 0.5 });
    try {
      const { image, scaleX, scaleY } = await shrinkForDetection(await readSamplePhoto(5), 1024);
      const boxes = (await tiny.detect(image)).map((box) => ({
        left: box.left * scaleX,
        top: box.top * scaleY,
        width: box.width * scaleX,
        height: box.height * scaleY,
      }));
      expect(boxes.length).toBeGreaterThanOrEqual(4);
      expect(boxes.length).toBeLessThanOrEqual(6);
      for (const box of boxes) {
        // The tiny detector draws looser, square boxes (hair and chin included), so overlap is lower.
        expect(Math.max(...sample5Faces.map((face) => intersectionOverUnion(face, box)))).toBeGreaterThan(0.25);
      }
    } finally {
      tiny.dispose();
    }
  });
});
