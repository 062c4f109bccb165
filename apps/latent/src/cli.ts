import { exitCodes, runMain } from '@dcgan/cli';

import { helpText, parseLatentArguments } from './arguments.js';
import { runLatentCommand } from './run-command.js';

async function main(argv: readonly string[]): Promise<number> {
  const args = parseLatentArguments(argv);
  if (args.command === 'help') {
    process.stdout.write(helpText);
    return exitCodes.ok;
  }
  const started = Date.now();
  const summary = await runLatentCommand(args, (line) => process.stderr.write(`${line}\n`));
  const lines = [
    `done in ${((Date.now() - started) / 1000).toFixed(1)} s on ${summary.backend.name}; wrote:`,
    ...summary.files.map((file) => `  ${file}`),
  ];
  if (summary.hint) lines.push(`next: ${summary.hint}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return exitCodes.ok;
}

void runMain('dcgan-latent', main);
