import { Job } from 'kubernetes-models/batch/v1';
import type { IContainer, IVolume, IVolumeMount } from 'kubernetes-models/v1';
import { PersistentVolumeClaim } from 'kubernetes-models/v1';

import type { DataStage } from './stages';

/** Cluster settings of the generated manifests. */
export interface ClusterSettings {
  /** Image built from the repository's Dockerfile and pushed where the cluster can pull it. @default 'dcgan-ts:latest' */
  readonly image: string;
  /** Shards per stage: the Indexed Job's completions (and JOB_COMPLETIONS). @default 8 */
  readonly shards: number;
  /** Pods at once. @default shards */
  readonly parallelism: number;
  /** Claim holding the datasets, mounted read-only at /data. @default 'dcgan-data' */
  readonly dataClaim: string;
  /** Claim the shards and merges write to, mounted at /outputs; ReadWriteMany, as pods run on several nodes. @default 'dcgan-outputs' */
  readonly outputsClaim: string;
  /** Size requested for the outputs claim. @default '100Gi' */
  readonly outputsSize: string;
  /** Retries of one shard (a rerun resumes from the shard's own output). @default 3 */
  readonly retriesPerShard: number;
}

export const defaultClusterSettings: ClusterSettings = {
  image: 'dcgan-ts:latest',
  shards: 8,
  parallelism: 8,
  dataClaim: 'dcgan-data',
  outputsClaim: 'dcgan-outputs',
  outputsSize: '100Gi',
  retriesPerShard: 3,
};

const volumes: (settings: ClusterSettings) => IVolume[] = (settings) => [
  { name: 'data', persistentVolumeClaim: { claimName: settings.dataClaim, readOnly: true } },
  { name: 'outputs', persistentVolumeClaim: { claimName: settings.outputsClaim } },
];

const volumeMounts: IVolumeMount[] = [
  { name: 'data', mountPath: '/data', readOnly: true },
  { name: 'outputs', mountPath: '/outputs' },
];

function container(
  stage: DataStage,
  settings: ClusterSettings,
  command: readonly string[],
  environment: IContainer['env'],
  resources = stage.resources,
): IContainer {
  return {
    name: stage.name,
    image: settings.image,
    workingDir: '/app',
    command: [...command],
    ...(environment === undefined ? {} : { env: environment }),
    resources: { requests: { cpu: resources.cpu, memory: resources.memory }, limits: { memory: resources.memory } },
    volumeMounts,
  };
}

/**
 * The Indexed Job of a stage: `shards` pods, each with JOB_COMPLETION_INDEX from Kubernetes and JOB_COMPLETIONS
 * from here, each writing `<out>/shards/shard-0000i-of-0000N` on the outputs volume. A failed pod is retried per
 * index (`backoffLimitPerIndex`); the retry resumes from what the failed one finished.
 */
export function shardJob(stage: DataStage, settings: ClusterSettings): Job {
  const labels = { 'app.kubernetes.io/name': 'dcgan', 'dcgan/stage': stage.name, 'dcgan/step': 'shards' };
  const job = new Job({
    metadata: { name: `dcgan-${stage.name}-shards`, labels, annotations: { 'dcgan/description': stage.description } },
    spec: {
      completionMode: 'Indexed',
      completions: settings.shards,
      parallelism: Math.min(settings.parallelism, settings.shards),
      backoffLimitPerIndex: settings.retriesPerShard,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          containers: [
            container(stage, settings, stage.shardCommand, [
              { name: 'JOB_COMPLETIONS', value: String(settings.shards) },
            ]),
          ],
          volumes: volumes(settings),
        },
      },
    },
  });
  job.validate();
  return job;
}

/** The follow-up Job of a stage: one pod that merges the shards (refusing missing or unfinished ones) and reports. */
export function mergeJob(stage: DataStage, settings: ClusterSettings): Job {
  const labels = { 'app.kubernetes.io/name': 'dcgan', 'dcgan/stage': stage.name, 'dcgan/step': 'merge' };
  const job = new Job({
    metadata: {
      name: `dcgan-${stage.name}-merge`,
      labels,
      annotations: { 'dcgan/description': `merge of ${stage.description}` },
    },
    spec: {
      completions: 1,
      backoffLimit: 1,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          containers: [container(stage, settings, stage.mergeCommand, undefined, stage.mergeResources)],
          volumes: volumes(settings),
        },
      },
    },
  });
  job.validate();
  return job;
}

/** The shared outputs claim (ReadWriteMany: shard pods on several nodes write to it at once). */
export function outputsClaim(settings: ClusterSettings): PersistentVolumeClaim {
  const claim = new PersistentVolumeClaim({
    metadata: { name: settings.outputsClaim, labels: { 'app.kubernetes.io/name': 'dcgan' } },
    spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: settings.outputsSize } } },
  });
  claim.validate();
  return claim;
}
