import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Job } from 'kubernetes-models/batch/v1';
import { PersistentVolumeClaim } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';

import { defaultClusterSettings, mergeJob, shardJob } from './data-stage-jobs';
import { renderManifests } from './render-manifests';
import { dataStages } from './stages';

const here = dirname(fileURLToPath(import.meta.url));
const manifests = join(here, '..', 'manifests');
const repository = join(here, '..', '..', '..');

describe('the generated manifests', () => {
  it('are the committed files (regenerate with `pnpm --filter @dcgan/kubernetes-deploy generate`)', async () => {
    const rendered = renderManifests(defaultClusterSettings);
    expect((await readdir(manifests)).sort()).toEqual(Object.keys(rendered).sort());
    for (const [name, text] of Object.entries(rendered))
      expect(await readFile(join(manifests, name), 'utf8'), name).toBe(text);
  });

  it('validate against the Kubernetes schema when read back from their files', async () => {
    for (const name of await readdir(manifests)) {
      const object = JSON.parse(await readFile(join(manifests, name), 'utf8')) as { kind: string };
      const model = object.kind === 'Job' ? new Job(object as never) : new PersistentVolumeClaim(object as never);
      expect(() => model.validate(), name).not.toThrow();
    }
  });

  it('give each stage an Indexed Job whose pods know N, mount what they use, and run a real CLI of the image', async () => {
    for (const stage of dataStages) {
      const job = shardJob(stage, { ...defaultClusterSettings, shards: 5, parallelism: 3 });
      const spec = job.spec!;
      expect(spec.completionMode).toBe('Indexed');
      expect(spec.completions).toBe(5);
      expect(spec.parallelism).toBe(3);
      const pod = spec.template.spec!;
      const container = pod.containers[0]!;
      expect(container.env).toContainEqual({ name: 'JOB_COMPLETIONS', value: '5' });
      const declared = new Set(pod.volumes!.map((volume) => volume.name));
      for (const mount of container.volumeMounts!) expect(declared.has(mount.name)).toBe(true);
      // The command runs a file that the stage's package publishes as its bin.
      for (const command of [stage.shardCommand, stage.mergeCommand]) {
        const file = command[1]!;
        expect(file.startsWith(`${stage.packageDirectory}/`)).toBe(true);
        const { bin } = JSON.parse(
          await readFile(join(repository, stage.packageDirectory, 'package.json'), 'utf8'),
        ) as { bin: Record<string, string> };
        expect(Object.values(bin).map((path) => join(stage.packageDirectory, path))).toContain(file);
      }
      const merge = mergeJob(stage, defaultClusterSettings);
      expect(merge.spec!.completionMode).toBeUndefined();
      expect(merge.spec!.template.spec!.containers[0]!.command).toEqual([...stage.mergeCommand]);
    }
  });

  it('run the probe merge with the options of the probe shards (the merge refuses shards made with others), with the memory it needs', () => {
    const probe = dataStages.find((stage) => stage.name === 'probe')!;
    expect(probe.mergeCommand).toEqual([...probe.shardCommand.slice(0, 2), 'merge', ...probe.shardCommand.slice(2)]);
    expect(shardJob(probe, defaultClusterSettings).spec!.template.spec!.containers[0]!.resources!.limits).toEqual({
      memory: '4Gi',
    });
    expect(mergeJob(probe, defaultClusterSettings).spec!.template.spec!.containers[0]!.resources!.limits).toEqual({
      memory: '16Gi',
    });
  });

  it('refuse a wrong value at validation and a wrong field at type check', () => {
    const template = {
      spec: { restartPolicy: 'Never' as const, containers: [{ name: 'faces', image: 'dcgan-ts:latest' }] },
    };
    expect(() =>
      new Job({
        metadata: { name: 'x' },
        spec: { completionMode: 'Indexed', completions: 'eight' as unknown as number, template },
      }).validate(),
    ).toThrow('completions must be integer');
    expect(() =>
      new Job({ metadata: { name: 'x' }, spec: { completionMode: 'Sharded' as 'Indexed', template } }).validate(),
    ).toThrow('completionMode must be equal to one of the allowed values');
    // A misspelled field does not compile (`pnpm test` runs the type check): the line below must stay an error.
    // @ts-expect-error `completion` is not a JobSpec field (`completions` is)
    new Job({ metadata: { name: 'x' }, spec: { completion: 8, template } });
  });
});
