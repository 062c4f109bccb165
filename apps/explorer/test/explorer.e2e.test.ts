import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  canvasStatistics,
  chooseSlot,
  clickSample,
  findChromium,
  launchChromium,
  openExplorer,
  renderCount,
  waitForRender,
} from '../src/server/browser.js';
import { startExplorerServer, type ExplorerServer } from '../src/server/explorer-server.js';

// A 16px MNIST generator trained for this test by scripts/make-test-generator.mjs.
const fixture = fileURLToPath(new URL('./fixtures/generator', import.meta.url));
const chromiumPath = findChromium();
if (chromiumPath === null) {
  const message =
    "NO CHROMIUM: the explorer browser test cannot run. `pnpm test` installs Debian's chromium when it runs as root " +
    'with apt-get (scripts/ensure-chromium.mjs); otherwise install it or set CHROMIUM_PATH.';
  // In CI a missing browser is a failure, not a silent pass.
  if (process.env.CI) throw new Error(message);
  process.stderr.write(
    `\n${'!'.repeat(78)}\n!! ${message}\n!! SKIPPING test/explorer.e2e.test.ts\n${'!'.repeat(78)}\n\n`,
  );
}

describe.skipIf(chromiumPath === null)('explorer in headless Chromium', () => {
  let directory: string;
  let server: ExplorerServer;
  let browser: Browser;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'dcgan-explorer-test-'));
    const webDirectory = join(directory, 'web');
    // The production build, as `pnpm explorer` serves it.
    await build({
      configFile: fileURLToPath(new URL('../vite.config.ts', import.meta.url)),
      logLevel: 'error',
      build: { outDir: webDirectory },
    });
    server = await startExplorerServer({
      modelDirectory: fixture,
      webDirectory,
      port: 5400 + Math.floor(Math.random() * 400),
    });
    browser = await launchChromium(chromiumPath!);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  async function newPage(query = ''): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    page.on('pageerror', (error) => process.stderr.write(`page error: ${error.message}\n`));
    await openExplorer(page, `${server.url}${query}`);
    return page;
  }

  it('loads the generator, draws a non-blank grid, and picks and the slider change the pictures', async () => {
    const page = await newPage();
    const backend = await page.getAttribute('body', 'data-backend');
    expect(['webgl', 'cpu']).toContain(backend);
    process.stdout.write(`explorer e2e: the page runs on ${backend}\n`);
    expect(await page.textContent('#status')).toMatch(/16px, gray, z in R\^32/);

    const grid = await canvasStatistics(page, '#grid-canvas');
    // 36 digits: a real picture, not a flat canvas (white strokes on black).
    expect(grid.width).toBeGreaterThan(300);
    expect(grid.deviation).toBeGreaterThan(20);
    expect(grid.brightShare).toBeGreaterThan(0.02);

    // A pick fills slot A with the picked sample and its mean.
    const emptySlot = await canvasStatistics(page, '.slot[data-slot="A"] .slot-canvas');
    await clickSample(page, 0);
    const slotA = await canvasStatistics(page, '.slot[data-slot="A"] .slot-canvas');
    expect(slotA.hash).not.toBe(emptySlot.hash);
    expect(slotA.deviation).toBeGreaterThan(20);

    // A - B + C appears once all three slots hold samples.
    const emptyArithmetic = await canvasStatistics(page, '#arithmetic-canvas');
    await clickSample(page, 5);
    await chooseSlot(page, 'B');
    await clickSample(page, 1);
    await chooseSlot(page, 'C');
    await clickSample(page, 2);
    const arithmetic = await canvasStatistics(page, '#arithmetic-canvas');
    expect(arithmetic.hash).not.toBe(emptyArithmetic.hash);
    expect(arithmetic.deviation).toBeGreaterThan(20);
    // Another pick into C changes the result.
    await clickSample(page, 7);
    expect((await canvasStatistics(page, '#arithmetic-canvas')).hash).not.toBe(arithmetic.hash);

    // Dragging the slider (keyboard on the focused range input) re-renders the interpolation.
    const middle = await canvasStatistics(page, '#interpolation-canvas');
    expect(middle.deviation).toBeGreaterThan(10);
    const before = await renderCount(page);
    await page.focus('#t');
    await page.keyboard.press('Home');
    await waitForRender(page, before);
    expect(await page.inputValue('#t')).toBe('0');
    const start = await canvasStatistics(page, '#interpolation-canvas');
    expect(start.hash).not.toBe(middle.hash);
    expect(await page.getAttribute('body', 'data-state')).toBe('ready');
    await page.close();
  });

  it('falls back to (or can be told to use) the cpu backend, and downloads a PNG', async () => {
    const page = await newPage('?backend=cpu');
    expect(await page.getAttribute('body', 'data-backend')).toBe('cpu');
    expect((await canvasStatistics(page, '#grid-canvas')).deviation).toBeGreaterThan(20);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('button[data-download="grid-canvas"]'),
    ]);
    expect(download.suggestedFilename()).toBe('dcgan-grid.png');
    const path = await download.path();
    const { readFile } = await import('node:fs/promises');
    const bytes = await readFile(path);
    expect([...bytes.subarray(1, 4)].map((code) => String.fromCharCode(code)).join('')).toBe('PNG');
    await page.close();
  });

  it('reports a generator that cannot be loaded', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}?model=missing/model.json`);
    await page.waitForSelector('body[data-state="error"]', { timeout: 60_000 });
    expect(await page.textContent('#status')).toMatch(/cannot load the generator from missing\/model\.json/);
    await page.close();
  });
});
