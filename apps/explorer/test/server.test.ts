import '@tensorflow/tfjs-backend-cpu';
import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Trainer } from '@dcgan/core';
import { loadGenerator, saveCheckpoint } from '@dcgan/core/node';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { modelRoute } from '../src/server/model-route.js';
import { resolveGenerator } from '../src/server/resolve-generator.js';

const fixture = fileURLToPath(new URL('./fixtures/generator', import.meta.url));
let directory: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  directory = await mkdtemp(join(tmpdir(), 'dcgan-explorer-server-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('resolveGenerator', () => {
  it('uses an exported generator folder as it is', async () => {
    expect((await resolveGenerator(fixture)).directory).toBe(fixture);
  });

  it('exports the generator of a run that only has a checkpoint', async () => {
    const run = join(directory, 'run');
    const trainer = new Trainer({
      config: { imageSize: 16, channels: 1, baseWidth: 4, latentDim: 6 },
      batchSize: 2,
      seed: 3,
    });
    await saveCheckpoint(join(run, 'checkpoint'), trainer);
    const lines: string[] = [];
    const resolved = await resolveGenerator(run, (line) => lines.push(line));
    expect(resolved.description).toMatch(/checkpoint .*\/run\/checkpoint \(step 0\), exported to /);
    expect(lines[0]).toMatch(/exporting the generator/);
    const loaded = await loadGenerator(resolved.directory);
    const z = tf.ones([1, 6]);
    const [expected, actual] = [trainer.generator.predict(z) as tf.Tensor, loaded.predict(z) as tf.Tensor];
    expect(Array.from(await actual.data())).toEqual(Array.from(await expected.data()));
    trainer.dispose();
    loaded.dispose();
    // The export is temporary: dispose() removes it (and its dcgan-explorer-* parent), and only it.
    const parent = dirname(resolved.directory);
    expect(basename(parent)).toMatch(/^dcgan-explorer-/);
    resolved.dispose();
    await expect(stat(parent)).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await stat(join(run, 'checkpoint', 'checkpoint.json'))).isFile()).toBe(true);
  });

  it('dispose() leaves a folder it did not create alone', async () => {
    const resolved = await resolveGenerator(fixture);
    resolved.dispose();
    expect((await stat(join(fixture, 'model.json'))).isFile()).toBe(true);
  });

  it('names the folder when there is nothing to load', async () => {
    const empty = join(directory, 'empty');
    await mkdir(empty);
    await expect(resolveGenerator(empty)).rejects.toThrow(`${empty}: no generator here`);
  });
});

describe('modelRoute', () => {
  async function request(url: string) {
    const route = modelRoute(fixture);
    let status = 0;
    let body: Buffer | undefined;
    let passed = false;
    await route(
      { url, method: 'GET' } as never,
      {
        set statusCode(code: number) {
          status = code;
        },
        setHeader() {},
        end(data?: Buffer | string) {
          body = typeof data === 'string' ? Buffer.from(data) : data;
        },
      } as never,
      () => {
        passed = true;
      },
    );
    return { status, body, passed };
  }

  it('serves the export by bare file name and nothing else', async () => {
    const model = await request('/model.json');
    expect(model.status).toBe(200);
    expect(model.body?.equals(await readFile(join(fixture, 'model.json')))).toBe(true);
    expect((await request('/weights.bin')).body?.length).toBe(100_096);
    expect((await request('/missing.bin')).status).toBe(404);
    // URL parsing drops the `..`: the name stays inside the generator folder, which has no such file.
    expect((await request('/../package.json')).status).toBe(404);
    // An encoded path separator is not a bare file name: not served at all.
    const encoded = await request('/%2e%2e%2fpackage.json');
    expect([encoded.passed, encoded.status]).toEqual([true, 0]);
  });

  it('answers 400 to a malformed escape instead of throwing (it used to crash the server with URIError)', async () => {
    const malformed = await request('/%zz');
    expect([malformed.passed, malformed.status, malformed.body?.toString()]).toEqual([false, 400, 'malformed URL']);
  });
});
