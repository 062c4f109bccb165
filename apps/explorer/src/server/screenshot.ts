import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { exitCodes, parseOptions, runMain, UsageError } from '@dcgan/cli';

import {
  chooseSlot,
  clickSample,
  findChromium,
  launchChromium,
  openExplorer,
  renderCount,
  waitForRender,
} from './browser.js';
import { startExplorerServer } from './explorer-server.js';
import { resolveGenerator } from './resolve-generator.js';

/**
 * Takes the README's screenshot: serves the built page with a generator, picks samples into A, B and
 * C with the mouse, moves the slider, and saves the whole page as PNG.
 *
 *   node dist/server/screenshot.js --checkpoint runs/x --out docs/screenshot.png --a 0,1,2 --b 3,4 --c 5 --seed 1
 */
async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseOptions(
    argv.filter((argument) => argument !== '--'),
    {
      checkpoint: { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string' },
      a: { type: 'string' },
      b: { type: 'string' },
      c: { type: 'string' },
      t: { type: 'string' },
    },
  );
  if (values.checkpoint === undefined || values.out === undefined)
    throw new UsageError('Expected --checkpoint <path> and --out <file.png>');
  const list = (text: string | undefined, fallback: number[]) =>
    text === undefined ? fallback : text.split(',').map(Number);
  const chromium = findChromium();
  if (chromium === null)
    throw new Error('no Chromium found: install it (apt-get install chromium) or set CHROMIUM_PATH');
  const generator = await resolveGenerator(values.checkpoint);
  let server: Awaited<ReturnType<typeof startExplorerServer>> | undefined;
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
  try {
    server = await startExplorerServer({
      modelDirectory: generator.directory,
      webDirectory: fileURLToPath(new URL('../web', import.meta.url)),
      port: 5390,
    });
    browser = await launchChromium(chromium);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await openExplorer(page, server.url);
    if (values.seed !== undefined) {
      const before = await renderCount(page);
      await page.fill('#seed', values.seed);
      await page.dispatchEvent('#seed', 'change');
      await waitForRender(page, before);
    }
    for (const [slot, picks] of [
      ['A', list(values.a, [0, 1, 2])],
      ['B', list(values.b, [3, 4, 5])],
      ['C', list(values.c, [6, 7, 8])],
    ] as const) {
      await chooseSlot(page, slot);
      for (const index of picks) await clickSample(page, index);
    }
    const before = await renderCount(page);
    await page.fill('#t', values.t ?? '0.3');
    await waitForRender(page, before);
    const path = resolve(values.out);
    await mkdir(dirname(path), { recursive: true });
    await page.screenshot({ path, fullPage: true });
    process.stdout.write(
      `screenshot of ${generator.description} (backend ${await page.getAttribute('body', 'data-backend')}) -> ${path}\n`,
    );
  } finally {
    await browser?.close();
    await server?.close();
    generator.dispose();
  }
  return exitCodes.ok;
}

void runMain('screenshot', main);
