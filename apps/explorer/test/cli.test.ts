import '@tensorflow/tfjs-backend-cpu';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Trainer } from '@dcgan/core';
import { saveCheckpoint } from '@dcgan/core/node';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The built CLI, as `pnpm explorer` runs it (turbo builds before testing).
const cli = fileURLToPath(new URL('../dist/server/cli.js', import.meta.url));
let directory: string;
let checkpoint: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  directory = await mkdtemp(join(tmpdir(), 'dcgan-explorer-cli-'));
  checkpoint = join(directory, 'run', 'checkpoint');
  const trainer = new Trainer({
    config: { imageSize: 16, channels: 1, baseWidth: 4, latentDim: 6 },
    batchSize: 2,
    seed: 3,
  });
  await saveCheckpoint(checkpoint, trainer);
  trainer.dispose();
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** Starts the explorer on a checkpoint with its own TMPDIR; resolves once it serves. */
async function startExplorer(temporary: string) {
  const child = spawn(
    process.execPath,
    [cli, '--checkpoint', checkpoint, '--port', String(5800 + Math.floor(Math.random() * 400))],
    {
      env: { ...process.env, TMPDIR: temporary },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const match = /explorer: (http\S+)/.exec(stdout);
      if (match) resolve(match[1]!);
    });
    void exited.then(({ code }) => reject(new Error(`the explorer exited with ${code}: ${stderr}`)));
  });
  return { child, url, exited, stdout: () => stdout };
}

describe('dcgan-explorer', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`survives a malformed URL and removes its temporary export on ${signal}`, async () => {
      const temporary = await mkdtemp(join(directory, 'tmp-'));
      const explorer = await startExplorer(temporary);
      expect(await readdir(temporary)).toEqual([expect.stringMatching(/^dcgan-explorer-/)]);
      // `%zz` used to throw URIError out of the route and end the process.
      expect((await fetch(`${explorer.url}model/%zz`)).status).toBe(400);
      const model = await fetch(`${explorer.url}model/model.json`);
      expect(model.status).toBe(200);
      expect(((await model.json()) as { format?: string }).format).toBe('layers-model');
      explorer.child.kill(signal);
      await explorer.exited;
      expect(await readdir(temporary)).toEqual([]);
    }, 60_000);
  }
});
