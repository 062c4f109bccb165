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
  /** The merge pod's, where it needs more than a shard pod. @default resources */
  readonly mergeResources?: { readonly cpu: string; readonly memory: string };
}

const faces = ['node', 'apps/faces/dist/build-faces.js'];
const dedup = ['node', 'apps/dedup/dist/cli.js'];
const dedupData = ['--data', '/data/images', '--hasher', '/outputs/dedup/hasher.bin', '--out', '/outputs/dedup'];
// The paper's CIFAR-10 probe (section 5.1); the shards and the merge take the same options (the merge checks it).
const probeCifar10 = ['node', 'apps/probe/dist/probe-cifar10.js'];
const probeData = [
  '--checkpoint',
  '/data/checkpoint',
  '--data',
  '/data/cifar-10-batches-bin',
  '--out',
  '/outputs/probe-cifar10',
  '--backend',
  'wasm',
];

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
    description:
      'dcgan-dedup: semantic hashing of /data/images with a trained hasher (section 4.1.1), report in /outputs/dedup',
    shardCommand: [...dedup, 'hash', ...dedupData, '--backend', 'wasm'],
    mergeCommand: [...dedup, 'merge', ...dedupData, '--backend', 'wasm'],
    packageDirectory: 'apps/dedup',
    resources: { cpu: '4', memory: '4Gi' },
  },
  {
    name: 'probe',
    description:
      'dcgan-probe-cifar10: discriminator, random-D and pixel features of CIFAR-10 in /data/cifar-10-batches-bin for the D in /data/checkpoint; ' +
      'the merge joins the feature stores and fits the linear SVMs (sections 5.1-5.2), report in /outputs/probe-cifar10',
    shardCommand: [...probeCifar10, ...probeData],
    mergeCommand: [...probeCifar10, 'merge', ...probeData],
    packageDirectory: 'apps/probe',
    resources: { cpu: '4', memory: '4Gi' },
    // The merge holds 50,000 x 28,672 training features (5.3 GiB as float32) and fits the SVMs on them.
    mergeResources: { cpu: '4', memory: '16Gi' },
  },
];
