import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import { initBackend, type BackendSelection } from '@dcgan/backend';
import { generatorShape } from '@dcgan/latent';

import { checkGridSize, type LatentArguments } from './arguments.js';
import { arithmeticCommand } from './commands/arithmetic-command.js';
import type { CommandContext, CommandResult } from './commands/command-context.js';
import { forgetCommand } from './commands/forget-command.js';
import { turnCommand } from './commands/turn-command.js';
import { visualizeCommand } from './commands/visualize-command.js';
import { walkCommand } from './commands/walk-command.js';
import { loadModels } from './load-models.js';

/** What a run did. */
export interface LatentRunSummary extends CommandResult {
  readonly backend: BackendSelection;
  readonly out: string;
}

/** Runs one dcgan-latent command (everything but `help`), reporting lines through `log`. */
export async function runLatentCommand(
  args: Exclude<LatentArguments, { command: 'help' }>,
  log: (line: string) => void,
): Promise<LatentRunSummary> {
  const backend = await initBackend({ prefer: args.backend });
  log(`backend: ${backend.name} (${backend.reason})`);
  const models = await loadModels(args.checkpoint);
  try {
    log(`model: ${models.description}`);
    const out = resolve(args.out ?? join(models.runDirectory, 'latent'));
    const { imageSize } = generatorShape(models.generator);
    const zoom = args.zoom ?? (imageSize <= 32 ? 2 : 1);
    checkGridSize(args, imageSize, zoom);
    await mkdir(out, { recursive: true });
    const context: CommandContext = { models, out, zoom, seed: args.seed, log };
    let result: CommandResult;
    switch (args.command) {
      case 'walk':
        result = await walkCommand(context, args);
        break;
      case 'arithmetic':
        result = await arithmeticCommand(context, args);
        break;
      case 'turn':
        result = await turnCommand(context, args);
        break;
      case 'forget':
        result = await forgetCommand(context, args);
        break;
      case 'visualize':
        result = await visualizeCommand(context, args);
        break;
    }
    return { ...result, backend, out };
  } finally {
    models.dispose();
  }
}
