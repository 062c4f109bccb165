import { existsSync } from 'node:fs';

import { chromium, type Browser, type Page } from 'playwright-core';

/** Where Debian, Ubuntu and Chrome installs put the browser; `CHROMIUM_PATH` wins. */
export const chromiumCandidates: readonly string[] = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
];

/** Path of an installed Chromium or Chrome, or null. */
export function findChromium(): string | null {
  const fromEnvironment = process.env.CHROMIUM_PATH;
  if (fromEnvironment) return existsSync(fromEnvironment) ? fromEnvironment : null;
  return chromiumCandidates.find((path) => existsSync(path)) ?? null;
}

/** Starts headless Chromium; WebGL runs on SwiftShader where there is no GPU (CI, servers). */
export async function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
    args: ['--no-sandbox', '--enable-unsafe-swiftshader', '--use-angle=swiftshader'],
  });
}

/** Pixel statistics of a canvas, read in the page. */
export interface CanvasStatistics {
  readonly width: number;
  readonly height: number;
  /** Mean luminance, 0-255. */
  readonly mean: number;
  /** Standard deviation of luminance: near 0 for a blank canvas. */
  readonly deviation: number;
  /** Share of pixels brighter than 128. */
  readonly brightShare: number;
  /** FNV-1a hash of the RGBA bytes: changes when the picture does. */
  readonly hash: number;
}

export async function canvasStatistics(page: Page, selector: string): Promise<CanvasStatistics> {
  return page.$eval(selector, (element) => {
    const canvas = element as HTMLCanvasElement;
    const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    let sum = 0;
    let squares = 0;
    let bright = 0;
    let hash = 0x811c9dc5;
    for (let index = 0; index < data.length; index += 4) {
      const luminance = 0.299 * data[index]! + 0.587 * data[index + 1]! + 0.114 * data[index + 2]!;
      sum += luminance;
      squares += luminance * luminance;
      if (luminance > 128) bright++;
    }
    for (let index = 0; index < data.length; index++) hash = Math.imul(hash ^ data[index]!, 0x01000193) >>> 0;
    const pixels = data.length / 4;
    const mean = sum / pixels;
    return {
      width: canvas.width,
      height: canvas.height,
      mean,
      deviation: Math.sqrt(Math.max(0, squares / pixels - mean * mean)),
      brightShare: bright / pixels,
      hash,
    };
  });
}

/** Number of finished renders (the page counts them on `body[data-renders]`). */
export async function renderCount(page: Page): Promise<number> {
  return Number(await page.getAttribute('body', 'data-renders'));
}

/** Waits until the page has finished more renders than `before`, and for its queue to drain. */
export async function waitForRender(page: Page, before: number): Promise<void> {
  await page.waitForFunction((count) => Number(document.body.dataset.renders) > count, before, { timeout: 60_000 });
}

/** Opens the explorer and waits for the model to load and the first grid to render. */
export async function openExplorer(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForSelector('body[data-state="ready"], body[data-state="error"]', { timeout: 120_000 });
  const state = await page.getAttribute('body', 'data-state');
  if (state !== 'ready') throw new Error(`the explorer did not start: ${await page.textContent('#status')}`);
}

/** Clicks sample `index` of the grid with the mouse, like a person would, and waits for the re-render. */
export async function clickSample(page: Page, index: number): Promise<void> {
  const target = await page.$eval(
    '#grid-canvas',
    (element, tile) => {
      const canvas = element as HTMLCanvasElement;
      const columns = Number(canvas.dataset.columns);
      const size = Number(canvas.dataset.tileSize);
      const padding = Number(canvas.dataset.padding);
      const bounds = canvas.getBoundingClientRect();
      const scale = bounds.width / canvas.width;
      const x = padding + (tile % columns) * (size + padding) + size / 2;
      const y = padding + Math.floor(tile / columns) * (size + padding) + size / 2;
      return { x: bounds.left + x * scale, y: bounds.top + y * scale };
    },
    index,
  );
  const before = await renderCount(page);
  await page.mouse.click(target.x, target.y);
  await waitForRender(page, before);
}

/** Makes slot `name` the one that clicks fill. */
export async function chooseSlot(page: Page, name: 'A' | 'B' | 'C'): Promise<void> {
  await page.check(`input[name="active-slot"][value="${name}"]`);
}
