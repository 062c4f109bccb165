import { resolveShard, type Shard } from '@dcgan/data';

import { UsageError } from './usage-error';

/**
 * Reads `--shard i/N`; without it the shard of a Kubernetes Indexed Job or an AWS Batch array job (from the
 * environment), else the whole dataset (`resolveShard` of `@dcgan/data`).
 *
 * @example shardOption('2/4') // { index: 2, count: 4 }; UsageError for `4/4`
 */
export function shardOption(
  raw: string | undefined,
  environment: Readonly<Record<string, string | undefined>> = process.env,
): Shard {
  try {
    return resolveShard(raw, environment);
  } catch (error) {
    throw new UsageError((error as Error).message, { cause: error });
  }
}
