import type { ImageGrid } from '../sampling/image-grid';

/** What one {@link Trainer.step} did: losses and D's mean probabilities, as plain numbers. */
export interface TrainerStepResult {
  /** Steps completed, this one included (1 after the first step). */
  readonly step: number;
  /** The epoch the application set on the trainer when this step ran. */
  readonly epoch: number;
  /** D's loss on this batch: BCE(D(x), 1) + BCE(D(G(z)), 0), computed before D's update. */
  readonly discriminatorLoss: number;
  /** G's non-saturating loss BCE(D(G(z)), 1), computed with the freshly updated D before G's update. */
  readonly generatorLoss: number;
  /** Mean D(x) on the real batch (probability, before D's update). */
  readonly realScore: number;
  /** Mean D(G(z)) before D's update (pytorch/examples' D_G_z1). */
  readonly fakeScore: number;
  /** Mean D(G(z)) after D's update, during G's update (pytorch/examples' D_G_z2). */
  readonly fakeScoreAfterUpdate: number;
  /** Real images in the batch. */
  readonly batchSize: number;
  /** Wall time of this step in seconds. */
  readonly seconds: number;
  /** Real images per second for this step. */
  readonly imagesPerSecond: number;
}

/** A training step finished. */
export interface TrainerStepEvent extends TrainerStepResult {
  readonly status: 'step';
}

/** {@link Trainer.sample} drew the fixed-noise grid. */
export interface TrainerSampleEvent {
  readonly status: 'sample';
  readonly step: number;
  readonly epoch: number;
  readonly grid: ImageGrid;
}

/** A checkpoint was written completely (emitted by `@dcgan/core/node`'s `saveCheckpoint`). */
export interface TrainerCheckpointEvent {
  readonly status: 'checkpoint';
  readonly step: number;
  readonly epoch: number;
  /** The checkpoint directory. */
  readonly path: string;
  readonly seconds: number;
}

/** The application moved the trainer to another epoch. */
export interface TrainerEpochEvent {
  readonly status: 'epoch';
  readonly step: number;
  readonly epoch: number;
}

/** Everything a {@link Trainer} reports, tagged by `status`. */
export type TrainerEvent = TrainerStepEvent | TrainerSampleEvent | TrainerCheckpointEvent | TrainerEpochEvent;

/** Receives {@link TrainerEvent}s; see {@link Trainer.on}. */
export type TrainerListener = (event: TrainerEvent) => void;
