import { BackendError } from '@dcgan/backend';
import { DcganError } from '@dcgan/core';
import { DataError } from '@dcgan/data';
import { LatentError } from '@dcgan/latent';

import { helpText, parseLatentArguments, UsageError } from './arguments.js';
import { runLatentCommand } from './run-command.js';

async function main(argv: readonly string[]): Promise<number> {
  const args = parseLatentArguments(argv);
  if (args.command === 'help') {
    process.stdout.write(helpText);
    return 0;
  }
  const started = Date.now();
  const summary = await runLatentCommand(args, (line) => process.stderr.write(`${line}\n`));
  const lines = [`done in ${((Date.now() - started) / 1000).toFixed(1)} s on ${summary.backend.name}; wrote:`, ...summary.files.map((file) => `  ${file}`)];
  if (summary.hint) lines.push(`next: ${summary.hint}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

/** One line for the errors a user can fix; the full stack only for bugs. */
function describeError(error: unknown): string {
  if (error instanceof UsageError || BackendError.isInstance(error) || DcganError.isInstance(error) || DataError.isInstance(error) || LatentError.isInstance(error)) {
    return (error as Error).message;
  }
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`dcgan-latent: error: ${describeError(error)}\n`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  },
);
