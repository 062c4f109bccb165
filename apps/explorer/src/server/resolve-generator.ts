import { rmSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { UsageError } from '@dcgan/cli';

/** Where the explorer's generator comes from. */
export interface ResolvedGenerator {
  /** Folder holding `model.json` and its weights. */
  readonly directory: string;
  /** What was found, for the user. */
  readonly description: string;
  /**
   * Removes the temporary export made for a checkpoint (nothing else); call it when the explorer stops.
   * Synchronous, so that it also works from a process `exit` handler (Vite's preview server calls
   * `process.exit()` on SIGTERM).
   */
  dispose(): void;
}

const keep = (): void => {};

async function modifiedAt(path: string): Promise<number | null> {
  try {
    const info = await stat(path);
    return info.isFile() ? info.mtimeMs : null;
  } catch {
    return null;
  }
}

/**
 * Finds the generator behind `--checkpoint`: an exported generator folder (`model.json`), a training
 * checkpoint (`checkpoint.json`, exported to a temporary folder here), or a dcgan-train run folder
 * holding either (`generator/`, `checkpoint/`; the newer one wins, so a run still training shows its
 * latest checkpoint). Throws naming the folder when there is nothing to load.
 */
export async function resolveGenerator(
  path: string,
  log: (line: string) => void = () => {},
): Promise<ResolvedGenerator> {
  const directory = resolve(path);
  if ((await modifiedAt(join(directory, 'model.json'))) !== null)
    return { directory, description: `exported generator ${directory}`, dispose: keep };
  const exported = join(directory, 'generator');
  const exportedAt = await modifiedAt(join(exported, 'model.json'));
  const checkpoint =
    (await modifiedAt(join(directory, 'checkpoint.json'))) !== null ? directory : join(directory, 'checkpoint');
  const checkpointAt = await modifiedAt(join(checkpoint, 'checkpoint.json'));
  if (exportedAt !== null && (checkpointAt === null || exportedAt >= checkpointAt)) {
    return { directory: exported, description: `exported generator ${exported}`, dispose: keep };
  }
  if (checkpointAt === null) {
    throw new UsageError(
      `${directory}: no generator here (looked for model.json in it and in generator/, and for checkpoint.json in it and in checkpoint/)`,
    );
  }
  log(`exporting the generator of checkpoint ${checkpoint} for the browser…`);
  // Loading a checkpoint needs a tfjs backend in Node; the pure-JS one is enough (no compute).
  const [tf, { loadCheckpoint, exportGenerator }] = await Promise.all([
    import('@tensorflow/tfjs-core'),
    import('@dcgan/core/node'),
  ]);
  await import('@tensorflow/tfjs-backend-cpu');
  await tf.setBackend('cpu');
  const trainer = await loadCheckpoint(checkpoint);
  let temporary: string | undefined;
  try {
    temporary = await mkdtemp(join(tmpdir(), 'dcgan-explorer-'));
    const target = join(temporary, 'generator');
    await exportGenerator(target, trainer.generator);
    const remove = temporary;
    return {
      directory: target,
      description: `checkpoint ${checkpoint} (step ${trainer.completedSteps}), exported to ${target}`,
      dispose: () => rmSync(remove, { recursive: true, force: true }),
    };
  } catch (error) {
    if (temporary !== undefined) await rm(temporary, { recursive: true, force: true });
    throw error;
  } finally {
    trainer.dispose();
  }
}
