import { readFile } from 'node:fs/promises';

import { FacesError } from '../errors/faces-error';
import type { FaceDatasetSettings } from './face-dataset-options';

/** `faces-run.json`: what an output folder was made from, so that a resumed run cannot mix settings. */
export interface RunManifest {
  readonly tool: '@dcgan/faces';
  readonly formatVersion: 1;
  readonly photos: string;
  readonly settings: FaceDatasetSettings;
}

export async function readRunManifest(path: string): Promise<RunManifest | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new FacesError(`${path}: cannot read: ${(error as Error).message}`, { cause: error, file: path });
  }
  let manifest: RunManifest;
  try {
    manifest = JSON.parse(text) as RunManifest;
  } catch (error) {
    throw new FacesError(`${path}: not JSON (${(error as Error).message}); delete the output folder or overwrite it`, {
      cause: error,
      file: path,
    });
  }
  if (manifest.tool !== '@dcgan/faces' || manifest.formatVersion !== 1 || typeof manifest.settings !== 'object') {
    throw new FacesError(`${path}: not a @dcgan/faces run (format 1); choose another output folder or overwrite it`, {
      file: path,
    });
  }
  return manifest;
}

/** Names the settings that differ between an earlier run and this one, as `name: before -> now`. */
export function settingsDifferences(before: FaceDatasetSettings, now: FaceDatasetSettings): string[] {
  const differences: string[] = [];
  for (const key of Object.keys(now) as (keyof FaceDatasetSettings)[]) {
    if (before[key] !== now[key]) differences.push(`${key}: ${String(before[key])} -> ${String(now[key])}`);
  }
  return differences;
}
