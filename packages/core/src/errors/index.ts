export { DcganError, type DcganErrorOptions } from './dcgan-error';
export { CheckpointError, type CheckpointErrorOptions } from './checkpoint-error';
