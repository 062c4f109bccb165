import { DcganError } from '@dcgan/common';

import { describeUsageError, runCommandLine } from './run-command-line';

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

/**
 * One line for the errors a user can fix (usage, and every `@dcgan` package's errors: they all extend
 * `DcganError`, whose marker survives duplicated package copies); the full stack only for bugs.
 */
export function describeError(error: unknown): string {
  return DcganError.isInstance(error) ? error.message : describeUsageError(error);
}
