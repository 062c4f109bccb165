import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { collectShards, isInShard, isWholeDataset, mergeByPosition, shardItemCount, type Shard } from '@dcgan/data';

import { FacesError } from '../errors/faces-error';
import type { PhotoInput } from '../photos/photo-input';
import { faceDatasetFiles, finalise } from './build-face-dataset';
import type { FaceDatasetSummary } from './face-dataset-summary';
import { isUnreadableRecord, readJournal, type JournalFace, type JournalRecord } from './journal';
import type { RunManifest } from './run-manifest';

/** The stage name in the `shard.json` of a faces shard. */
export const faceShardStage = 'faces';

/** The photos of `shard`: photo `p` of the listing (sorted for a folder) when `p mod count === index`. */
export function shardPhotoInput(input: PhotoInput, shard: Shard | undefined): PhotoInput {
  if (shard === undefined || isWholeDataset(shard)) return input;
  return {
    // The same description as the whole run: the merged folder's faces-run.json is the one one process writes.
    description: input.description,
    files: input.files?.filter((_, position) => isInShard(position, shard)),
    total: input.total === undefined ? undefined : shardItemCount(input.total, shard),
    async *entries() {
      let position = 0;
      for await (const entry of input.entries()) {
        if (isInShard(position, shard)) yield entry;
        position += 1;
      }
    },
  };
}

async function copyInto(from: string, to: string): Promise<void> {
  try {
    await mkdir(dirname(to), { recursive: true });
    await copyFile(from, to);
  } catch (error) {
    throw new FacesError(`${from}: cannot copy to ${to}: ${(error as Error).message}`, { cause: error, file: from });
  }
}

/**
 * Joins the faces shards under `<output>/shards/` (each written by `buildFaceDataset` with `shard` into
 * `shardDirectory(output, shard)`) into `output`: the crops, journal, boxes files, contact tiles and contact sheet
 * that one process over all the photos writes, byte for byte (the summary differs only in its timing). Every shard
 * must be present and complete; a missing, duplicated or unfinished shard is refused with an error naming it.
 *
 * @example
 * const summary = await mergeFaceShards('faces'); // after `dcgan-faces photos --out faces --shard i/4` for i = 0..3
 */
export async function mergeFaceShards(output: string): Promise<FaceDatasetSummary> {
  const startedAt = Date.now();
  const shards = await collectShards(output, faceShardStage);
  const { manifest, contactSheetLimit } = shards[0]!.manifest.settings as {
    manifest: RunManifest;
    contactSheetLimit: number;
  };
  const lists: { record: JournalRecord; position: number; directory: string }[][] = [];
  let photosListed = 0;
  for (const { shard, directory, manifest: shardManifest } of shards) {
    const records = await readJournal(faceDatasetFiles(directory).detections);
    if (records.length !== shardManifest.items) {
      throw new FacesError(
        `${directory}: its journal holds ${records.length} photos but its shard.json says ${shardManifest.items}; rerun the shard`,
        { file: directory },
      );
    }
    photosListed += records.length;
    // A shard journals its photos in listing order, so its k-th record is photo k * count + index.
    lists.push(records.map((record, local) => ({ record, position: local * shard.count + shard.index, directory })));
  }
  const merged = mergeByPosition(
    lists,
    (item) => item.position,
    (item) => `photo ${item.record.file}`,
  );

  const files = faceDatasetFiles(output);
  for (const path of [
    files.detections,
    files.boxesCsv,
    files.boxesJson,
    files.summary,
    files.contactSheet,
    files.manifest,
  ])
    await rm(path, { force: true });
  await rm(files.crops, { recursive: true, force: true });
  await rm(files.tiles, { recursive: true, force: true });
  await mkdir(files.crops, { recursive: true });
  await mkdir(files.tiles, { recursive: true });

  // Tiles are numbered over the whole run: the first `contactSheetLimit` kept (and rejected) boxes in photo order get
  // one. Each of those is among the first of its own shard too, so its shard drew the same tile.
  const tileCounts = { kept: 0, rejected: 0 };
  const lines: string[] = [];
  for (const { record, directory } of merged) {
    if (isUnreadableRecord(record)) {
      lines.push(JSON.stringify(record));
      continue;
    }
    const faces: JournalFace[] = [];
    for (const face of record.faces) {
      if (face.crop !== undefined) await copyInto(join(directory, face.crop), join(output, face.crop));
      const kind = face.kept ? 'kept' : 'rejected';
      const { tile, ...rest } = face;
      if (tileCounts[kind] < contactSheetLimit) {
        tileCounts[kind] += 1;
        if (tile === undefined)
          throw new FacesError(
            `${directory}: box ${face.x},${face.y} of ${record.file} has no contact tile; rerun the shard with the same --contact-limit`,
            { file: directory },
          );
        const renamed = `contact-tiles/${kind}-${String(tileCounts[kind]).padStart(6, '0')}.png`;
        await copyInto(join(directory, tile), join(output, renamed));
        faces.push({ ...face, tile: renamed });
      } else {
        faces.push(rest);
      }
    }
    lines.push(JSON.stringify({ ...record, faces }));
  }
  await writeFile(files.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
  await writeFile(files.detections, lines.map((line) => `${line}\n`).join(''));
  return finalise(
    files,
    manifest.settings,
    { total: photosListed },
    { photosResumed: 0, interrupted: false, startedAt },
  );
}
