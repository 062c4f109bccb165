import { BackendError } from '@dcgan/backend';
import { CheckpointError, DcganError } from '@dcgan/core';
import { DataError } from '@dcgan/data';
import { DedupError } from '@dcgan/dedup';
import { FacesError } from '@dcgan/faces';
import { LatentError } from '@dcgan/latent';
import { ProbeError } from '@dcgan/probe';
import { TrainError } from '@dcgan/train';

import { describeUsageError, isUsageError, runCommandLine } from './run-command-line';

export { exitCodes } from './exit-codes';

/**
 * Runs a CLI's `main` on `process.argv` and sets the exit code: main's own, or for an error `<program>: error:
 * <message>` and the code from {@link exitCodes}. `--version` (before any `--`) prints the package's name and
 * version instead, and exits 0.
 *
 * @example void runMain('dcgan-train', async (argv) => 0);
 */
export function runMain(programName: string, main: (argv: readonly string[]) => Promise<number>): Promise<void> {
  return runCommandLine(programName, main, describeError);
}

/** One line for the errors a user can fix; the full stack only for bugs. */
export function describeError(error: unknown): string {
  const known =
    isUsageError(error) ||
    TrainError.isInstance(error) ||
    BackendError.isInstance(error) ||
    DcganError.isInstance(error) ||
    CheckpointError.isInstance(error) ||
    DataError.isInstance(error) ||
    DedupError.isInstance(error) ||
    FacesError.isInstance(error) ||
    LatentError.isInstance(error) ||
    ProbeError.isInstance(error);
  return known ? (error as Error).message : describeUsageError(error);
}
