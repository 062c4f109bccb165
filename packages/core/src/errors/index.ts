export { DcganError, type DcganErrorOptions } from '@dcgan/common';
export { CheckpointError, type CheckpointErrorOptions } from './checkpoint-error';
