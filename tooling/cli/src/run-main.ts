import { BackendError } from '@dcgan/backend';
import { CheckpointError, DcganError } from '@dcgan/core';
import { DataError } from '@dcgan/data';
import { DedupError } from '@dcgan/dedup';
import { FacesError } from '@dcgan/faces';
import { LatentError } from '@dcgan/latent';
import { ProbeError } from '@dcgan/probe';
import { TrainError } from '@dcgan/train';

import { exitCodes } from './exit-codes';
import { UsageError } from './usage-error';
import { printVersionIfAsked } from './version';

export { exitCodes } from './exit-codes';

/**
 * Runs a CLI's `main` on `process.argv` and sets the exit code: main's own, or for an error `<program>: error:
 * <message>` and the code from {@link exitCodes}. `--version` (before any `--`) prints the package's name and
 * version instead, and exits 0.
 *
 * @example void runMain('dcgan-train', async (argv) => 0);
 */
export function runMain(programName: string, main: (argv: readonly string[]) => Promise<number>): Promise<void> {
  const argv = process.argv.slice(2);
  const run = printVersionIfAsked(argv) ? Promise.resolve(exitCodes.ok) : Promise.resolve().then(() => main(argv));
  return run.then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${programName}: error: ${describeError(error)}\n`);
      process.exitCode = UsageError.isInstance(error) || isParseArgumentsError(error) ? exitCodes.usage : exitCodes.error;
    },
  );
}

/** One line for the errors a user can fix; the full stack only for bugs. */
export function describeError(error: unknown): string {
  const known =
    UsageError.isInstance(error) ||
    isParseArgumentsError(error) ||
    TrainError.isInstance(error) ||
    BackendError.isInstance(error) ||
    DcganError.isInstance(error) ||
    CheckpointError.isInstance(error) ||
    DataError.isInstance(error) ||
    DedupError.isInstance(error) ||
    FacesError.isInstance(error) ||
    LatentError.isInstance(error) ||
    ProbeError.isInstance(error);
  if (known) return (error as Error).message;
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/** node:util parseArgs' errors (unknown option, missing value) are the user's to fix. */
function isParseArgumentsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}
