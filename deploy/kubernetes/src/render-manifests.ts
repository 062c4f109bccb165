import { mergeJob, outputsClaim, shardJob, type ClusterSettings } from './data-stage-jobs';
import { dataStages } from './stages';

// JSON, which kubectl reads as it reads YAML, so that the generator needs no serialiser of its own.
function text(object: { toJSON(): unknown }): string {
  return `${JSON.stringify(object.toJSON(), null, 2)}\n`;
}

/** Every manifest as JSON text by file name: the outputs claim, then `<stage>-shards.json` and `<stage>-merge.json`. */
export function renderManifests(settings: ClusterSettings): Record<string, string> {
  const files: Record<string, string> = { 'outputs-claim.json': text(outputsClaim(settings)) };
  for (const stage of dataStages) {
    files[`${stage.name}-shards.json`] = text(shardJob(stage, settings));
    files[`${stage.name}-merge.json`] = text(mergeJob(stage, settings));
  }
  return files;
}
