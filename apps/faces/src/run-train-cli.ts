import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** A mistake on the command line or in the data size: printed as one line, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Path of the built `dcgan-train` CLI (apps/train), which does the training, progress, grids and checkpoints. */
export function trainCliPath(): string {
  const manifest = createRequire(import.meta.url).resolve('@dcgan/train-app/package.json');
  const cli = join(dirname(manifest), 'dist', 'cli.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: build it with \`pnpm --filter @dcgan/train-app build\``);
  return cli;
}

/** Runs `dcgan-train` with `argumentsList`, sharing this terminal; resolves with its exit code. */
export function runTrainCli(argumentsList: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [trainCliPath(), ...argumentsList], { stdio: 'inherit' });
    // Ctrl-C reaches the child through the terminal; keep this process alive until it has saved and exited.
    const ignore = (): void => undefined;
    process.on('SIGINT', ignore);
    process.on('SIGTERM', ignore);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', ignore);
      process.off('SIGTERM', ignore);
      resolve(code ?? (signal === null ? 1 : 128 + 2));
    });
  });
}
