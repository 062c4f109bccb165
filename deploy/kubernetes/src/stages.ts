/**
 * The data stages that run sharded: each walks a whole dataset, item `p` going to shard `p mod N`, and each pod
 * learns its shard from JOB_COMPLETION_INDEX (set by Kubernetes) and JOB_COMPLETIONS (set by these manifests).
 * Commands run in the image the repository's Dockerfile builds (working directory /app); /data is the dataset
 * volume (read-only), /outputs the shared output volume.
 */
export interface DataStage {
  /** Kubernetes name part: lower case, digits and dashes. */
  readonly name: string;
  readonly description: string;
  /** The shard pods' command: the same for every pod; the shard comes from the environment. */
  readonly shardCommand: readonly string[];
  /** The follow-up Job's command: checks all shards are present and complete, merges, writes the report. */
  readonly mergeCommand: readonly string[];
  /** Workspace package whose `bin` entry the command runs (checked by the tests). */
  readonly packageDirectory: string;
  readonly resources: { readonly cpu: string; readonly memory: string };
}

const faces = ['node', 'apps/faces/dist/build-faces.js'];
const dedup = ['node', 'apps/dedup/dist/cli.js'];
const dedupData = ['--data', '/data/images', '--hasher', '/outputs/dedup/hasher.bin', '--out', '/outputs/dedup'];

export const dataStages: readonly DataStage[] = [
  {
    name: 'faces',
    description: 'dcgan-faces: face detection over /data/photos into /outputs/faces (section 4.2 of the paper)',
    shardCommand: [...faces, '/data/photos', '--out', '/outputs/faces', '--backend', 'wasm'],
    mergeCommand: [...faces, 'merge', '--out', '/outputs/faces'],
    packageDirectory: 'apps/faces',
    resources: { cpu: '4', memory: '4Gi' },
  },
  {
    name: 'dedup',
    description: 'dcgan-dedup: semantic hashing of /data/images with a trained hasher (section 4.1.1), report in /outputs/dedup',
    shardCommand: [...dedup, 'hash', ...dedupData, '--backend', 'wasm'],
    mergeCommand: [...dedup, 'merge', ...dedupData, '--backend', 'wasm'],
    packageDirectory: 'apps/dedup',
    resources: { cpu: '4', memory: '4Gi' },
  },
];
