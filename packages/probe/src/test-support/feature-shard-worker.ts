// One shard of the feature shard test, run as its own process with the environment of a Kubernetes Indexed Job.
import { resolveShard, shardDirectory } from '@dcgan/data';

import { extractFeatures } from '../features/extract-features';
import type { FeatureExtractor } from '../features/feature-extractor';
import { useCpuBackend } from './cpu-backend';
import { featureShardSettings, featureShardSetup } from './feature-shard-fixture';

await useCpuBackend();
const { extractor, images } = await featureShardSetup();
const delay = Number(process.env.SHARD_TEST_DELAY_MS ?? 0);
const slowed: FeatureExtractor = {
  ...extractor,
  extract: (batch) => {
    // A synchronous sleep (extract runs inside tf.tidy, which takes no promise), without spinning the CPU.
    if (delay > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, delay);
    return extractor.extract(batch);
  },
};
const shard = resolveShard(undefined);
await extractFeatures(slowed, images, {
  ...featureShardSettings,
  shard,
  directory: shardDirectory(process.env.SHARD_TEST_OUTPUT!, shard),
});
