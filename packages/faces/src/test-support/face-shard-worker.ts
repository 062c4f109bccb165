// One shard of the faces shard test, run as its own process with the environment of a Kubernetes Indexed Job.
import { initBackend } from '@dcgan/backend';
import { resolveShard, shardDirectory, type RawImage } from '@dcgan/data';

import { buildFaceDataset } from '../dataset/build-face-dataset';
import { createFaceDetector, type FaceDetector } from '../detector/face-detector';
import { faceShardSettings } from './face-shard-fixture';

await initBackend({ prefer: 'wasm' });
const detector = await createFaceDetector({ model: 'ssd-mobilenet-v1', minimumScore: 0.3 });
const delay = Number(process.env.SHARD_TEST_DELAY_MS ?? 0);
const slowed: FaceDetector = {
  ...detector,
  detect: async (image: RawImage) => {
    await new Promise((resolve) => setTimeout(resolve, delay));
    return detector.detect(image);
  },
};
const shard = resolveShard(undefined);
const output = process.env.SHARD_TEST_OUTPUT!;
await buildFaceDataset({
  ...faceShardSettings,
  photos: process.env.SHARD_TEST_PHOTOS!,
  outputDirectory: shardDirectory(output, shard),
  shard,
  detector: slowed,
});
detector.dispose();
