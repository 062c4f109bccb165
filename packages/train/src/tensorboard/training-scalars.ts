import type { StepMetrics } from '../metrics/metrics-record';

/**
 * The TensorBoard tags of a training step's scalars. TensorBoard groups tags by the part before the `/`.
 */
export const trainingScalarTags = {
  /** D's loss. */
  discriminatorLoss: 'loss/discriminator',
  /** G's non-saturating loss. */
  generatorLoss: 'loss/generator',
  /** Mean D(x) on the real batch, a probability. */
  realScore: 'D_output/real',
  /** Mean D(G(z)) before D's update, a probability. */
  fakeScore: 'D_output/fake',
  /** Mean D(G(z)) after D's update. */
  fakeScoreAfterUpdate: 'D_output/fake_after_D_update',
  /** Real images per second. */
  imagesPerSecond: 'speed/images_per_second',
} as const satisfies Record<keyof Omit<StepMetrics, 'step'>, string>;

/** The tag under which sample grids are written. */
export const sampleImageTag = 'samples';

/**
 * The scalars of one step (a `Trainer.step()` result or a metrics.ndjson record) under {@link trainingScalarTags},
 * ready for {@link EventFileWriter.addScalars}.
 *
 * @example
 * await events.addScalars(result.step, trainingScalars(result));
 */
export function trainingScalars(metrics: StepMetrics): Record<string, number> {
  const scalars: Record<string, number> = {};
  for (const [key, tag] of Object.entries(trainingScalarTags) as [keyof typeof trainingScalarTags, string][]) {
    const value = metrics[key];
    if (typeof value === 'number') scalars[tag] = value;
  }
  return scalars;
}
