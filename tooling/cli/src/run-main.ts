import { DcganError } from '@dcgan/common';

import { UsageError } from './usage-error';

/**
 * The exit codes of the training CLIs: 0 done, 1 an error (one line for the errors a user can fix, the stack for
 * bugs), 2 a mistake on the command line, 130 / 143 stopped by SIGINT / SIGTERM (128 + the signal's number).
 */
export const exitCodes = Object.freeze({ ok: 0, error: 1, usage: 2, SIGINT: 130, SIGTERM: 143 });

/**
 * Runs a CLI's `main` on `process.argv` and sets the exit code: main's own, or for an error `<program>: error:
 * <message>` and the code from {@link exitCodes}.
 *
 * @example void runMain('dcgan-train', async (argv) => 0);
 */
export function runMain(programName: string, main: (argv: readonly string[]) => Promise<number>): Promise<void> {
  return main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${programName}: error: ${describeError(error)}\n`);
      process.exitCode = UsageError.isInstance(error) || isParseArgumentsError(error) ? exitCodes.usage : exitCodes.error;
    },
  );
}

/**
 * One line for the errors a user can fix (usage, and every `@dcgan` package's errors: they all extend
 * `DcganError`, whose marker survives duplicated package copies); the full stack only for bugs.
 */
export function describeError(error: unknown): string {
  const known = UsageError.isInstance(error) || isParseArgumentsError(error) || DcganError.isInstance(error);
  if (known) return (error as Error).message;
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/** node:util parseArgs' errors (unknown option, missing value) are the user's to fix. */
function isParseArgumentsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}
