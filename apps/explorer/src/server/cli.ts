import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { startExplorerServer } from './explorer-server.js';
import { resolveGenerator } from './resolve-generator.js';

const helpText = `dcgan-explorer: a web page to walk and do arithmetic in a trained generator's latent space.

Usage:
  pnpm explorer -- --checkpoint <path> [--port <n>] [--host]

  --checkpoint <path>  a dcgan-train run folder, its checkpoint/ folder, or an exported generator
                       folder (model.json + weights.bin)
  --port <n>           port to listen on (default 5173; the next free one if busy)
  --host               listen on all interfaces, not only localhost
  -h, --help           this text
`;

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    // `pnpm explorer -- --checkpoint x` passes the `--` through.
    args: argv.filter((argument) => argument !== '--'),
    options: { checkpoint: { type: 'string' }, port: { type: 'string' }, host: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(helpText);
    return 0;
  }
  if (values.checkpoint === undefined) throw new Error('Expected `--checkpoint <path>` (a dcgan-train run folder or exported generator); see --help');
  const port = values.port === undefined ? 5173 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`Expected \`--port\` to be an integer in 0..65535, got \`${values.port}\``);
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
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`dcgan-explorer: error: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
