import { exitCodes } from './exit-codes';
import { UsageError } from './usage-error';
import { printVersionIfAsked } from './version';

/**
 * Runs a CLI's `main` on `process.argv` and sets the exit code by {@link exitCodes}: main's own, or for an error
 * `<program>: error: <describe(error)>` and 2 (a mistake on the command line) or 1. `--version` (before any `--`)
 * prints the package's name and version instead, and exits 0. The apps use `runMain`, which also knows the
 * libraries' errors; this one imports no library (for the plain-JS tools).
 *
 * @example void runCommandLine('dcgan-gpu-check', async (argv) => 0);
 */
export function runCommandLine(
  programName: string,
  main: (argv: readonly string[]) => Promise<number>,
  describe: (error: unknown) => string = describeUsageError,
): Promise<void> {
  const argv = process.argv.slice(2);
  const run = printVersionIfAsked(argv) ? Promise.resolve(exitCodes.ok) : Promise.resolve().then(() => main(argv));
  return run.then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${programName}: error: ${describe(error)}\n`);
      process.exitCode = isUsageError(error) ? exitCodes.usage : exitCodes.error;
    },
  );
}

/** A mistake on the command line: a {@link UsageError}, or one of node:util parseArgs' errors (unknown option, missing value). */
export function isUsageError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return UsageError.isInstance(error) || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'));
}

/** One line for a usage error; the full stack for anything else (a bug). */
export function describeUsageError(error: unknown): string {
  if (isUsageError(error)) return (error as Error).message;
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
