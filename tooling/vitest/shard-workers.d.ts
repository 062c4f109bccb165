import type { ChildProcess } from 'node:child_process';

export interface ShardWorkerResult {
  readonly index: number;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ShardWorkerOptions {
  readonly index: number;
  readonly count: number;
  readonly environment?: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

/** Starts a TypeScript worker as shard `index` of `count`, with JOB_COMPLETION_INDEX/JOB_COMPLETIONS set. */
export function startShardWorker(
  script: string,
  options: ShardWorkerOptions,
): { readonly child: ChildProcess; readonly done: Promise<ShardWorkerResult> };

/** Runs shards of a worker, `parallel` at a time (default 2); rejects naming a shard that failed. */
export function runShardWorkers(
  script: string,
  options: {
    readonly count: number;
    readonly indices?: readonly number[];
    readonly environment?: Readonly<Record<string, string>>;
    readonly cwd?: string;
    readonly parallel?: number;
  },
): Promise<ShardWorkerResult[]>;
