import { fileURLToPath } from 'node:url';

import { exitCodes, integerOption, parseOptions, runMain, standardOptionsHelp, UsageError } from '@dcgan/cli';

import { startExplorerServer } from './explorer-server.js';
import { resolveGenerator } from './resolve-generator.js';

const helpText = `dcgan-explorer: a web page to walk and do arithmetic in a trained generator's latent space.

Usage:
  pnpm explorer -- --checkpoint <path> [--port <n>] [--host]

  --checkpoint <path>  a dcgan-train run folder, its checkpoint/ folder, or an exported generator
                       folder (model.json + weights.bin)
  --port <n>           port to listen on (default 5173; the next free one if busy)
  --host               listen on all interfaces, not only localhost
${standardOptionsHelp(23)}`;

async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseOptions(
    // `pnpm explorer -- --checkpoint x` passes the `--` through.
    argv.filter((argument) => argument !== '--'),
    {
      checkpoint: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  );
  if (values.help === true) {
    process.stdout.write(helpText);
    return exitCodes.ok;
  }
  if (values.checkpoint === undefined)
    throw new UsageError('Expected `--checkpoint <path>` (a dcgan-train run folder or exported generator); see --help');
  const port = integerOption('--port', values.port, 5173, { minimum: 0, maximum: 65535 });
  const generator = await resolveGenerator(values.checkpoint, (line) => process.stderr.write(`${line}\n`));
  // The temporary export of a checkpoint goes when the explorer stops, however it stops: Vite's preview
  // server ends the process itself on SIGTERM, so `finally` alone would miss that.
  process.once('exit', generator.dispose);
  try {
    const server = await startExplorerServer({
      modelDirectory: generator.directory,
      webDirectory: fileURLToPath(new URL('../web', import.meta.url)),
      port,
      host: values.host === true ? true : 'localhost',
    });
    process.stdout.write(`generator: ${generator.description}\nexplorer: ${server.url}  (Ctrl-C to stop)\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await server.close();
  } finally {
    generator.dispose();
  }
  // Stopping the server is how it ends: a clean exit, not an interrupted job.
  return exitCodes.ok;
}

void runMain('dcgan-explorer', main);
