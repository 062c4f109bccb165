// One shard of the shard test, run as its own process with the environment of a Kubernetes Indexed Job.
import { resolveShard, shardDirectory } from '@dcgan/data';

import { hashSource } from '../hash/hash-source';
import { hashShardSettings, hashShardSource, slowHasher } from './hash-shard-fixture';

const shard = resolveShard(undefined);
const output = process.env.SHARD_TEST_OUTPUT!;
await hashSource(
  await hashShardSource(process.env.SHARD_TEST_FOLDER!),
  slowHasher(Number(process.env.SHARD_TEST_DELAY_MS ?? 0)),
  {
    ...hashShardSettings,
    transform: [...hashShardSettings.transform],
    shard,
    directory: shardDirectory(output, shard),
  },
);
