import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import { generate, sampleLatent } from '@dcgan/core';
import {
  evenFractions,
  generatorShape,
  interpolate,
  latentArithmetic,
  noisyNeighbours,
  type InterpolationMethod,
} from '@dcgan/latent';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import { imageToRgba, layoutSize, meanVector, tileAt, tileOrigin, type TileLayout } from './image-layout';

type SlotName = 'A' | 'B' | 'C';
const slotNames: readonly SlotName[] = ['A', 'B', 'C'];
/** The paper averages three samples per concept. */
const picksPerSlot = 3;

const parameters = new URLSearchParams(location.search);
const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = element<HTMLParagraphElement>('status');
const gridCanvas = element<HTMLCanvasElement>('grid-canvas');

interface State {
  generator: tfl.LayersModel;
  latentDim: number;
  imageSize: number;
  /** The sample grid's latent vectors, one per tile. */
  samples: Float32Array[];
  gridLayout: TileLayout;
  slots: Record<SlotName, Float32Array[]>;
  active: SlotName;
}

let state: State | undefined;
let renders = 0;
let queue: Promise<void> = Promise.resolve();

function setStatus(text: string, kind: 'loading' | 'ready' | 'error' = 'ready'): void {
  status.textContent = text;
  document.body.dataset.state = kind;
}

/** Renders run one after another (tfjs work is async), and the body counts them for tests. */
function schedule(work: () => Promise<void>): Promise<void> {
  queue = queue
    .then(work)
    .then(() => {
      renders += 1;
      document.body.dataset.renders = String(renders);
    })
    .catch((error: unknown) => setStatus(`Error: ${(error as Error).message}`, 'error'));
  return queue;
}

/** Picks WebGL, or the pure-JS cpu backend where WebGL cannot start (or `?backend=cpu`). */
async function startBackend(): Promise<string> {
  const wanted = parameters.get('backend');
  const order = wanted === 'cpu' ? ['cpu'] : ['webgl', 'cpu'];
  for (const name of order) {
    try {
      if (await tf.setBackend(name)) {
        await tf.ready();
        tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(1)).dataSync()); // fails early on a broken context
        return name;
      }
    } catch {
      // try the next one
    }
  }
  throw new Error('no TensorFlow.js backend could start (neither webgl nor cpu)');
}

/** Draws images in [-1, 1] on a canvas, tiled, scaled up without smoothing. */
async function drawImages(
  canvas: HTMLCanvasElement,
  images: tf.Tensor4D,
  layout: TileLayout,
  labels: readonly string[] = [],
): Promise<void> {
  const [count, height, width, channels] = images.shape;
  const values = await images.data();
  const { width: canvasWidth, height: canvasHeight } = layoutSize(layout);
  canvas.width = canvasWidth;
  canvas.height = canvasHeight;
  const context = canvas.getContext('2d')!;
  context.fillStyle = '#000';
  context.fillRect(0, 0, canvasWidth, canvasHeight);
  context.imageSmoothingEnabled = false;
  const tile = document.createElement('canvas');
  tile.width = width;
  tile.height = height;
  const tileContext = tile.getContext('2d')!;
  for (let index = 0; index < count; index++) {
    tileContext.putImageData(new ImageData(imageToRgba(values, index, height, width, channels), width, height), 0, 0);
    const { x, y } = tileOrigin(layout, index);
    context.drawImage(tile, x, y, layout.tileSize, layout.tileSize);
    const label = labels[index];
    if (label) {
      context.fillStyle = 'rgba(0, 0, 0, 0.6)';
      context.fillRect(x, y, 10 + 7 * label.length, 16);
      context.fillStyle = '#ffd24a';
      context.font = '12px system-ui, sans-serif';
      context.fillText(label, x + 4, y + 12);
    }
  }
}

function clearCanvas(canvas: HTMLCanvasElement, message: string): void {
  canvas.width = 360;
  canvas.height = 60;
  const context = canvas.getContext('2d')!;
  context.fillStyle = '#000';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.fillStyle = '#888';
  context.font = '14px system-ui, sans-serif';
  context.fillText(message, 12, 34);
}

/** Scale so that an image of `size` pixels shows at about `target` pixels. */
const zoom = (size: number, target: number) => Math.max(1, Math.round(target / size));

function generateFrom(vectors: readonly Float32Array[]): tf.Tensor4D {
  const current = state!;
  return tf.tidy(() => {
    const z = tf.tensor2d(
      vectors.flatMap((vector) => Array.from(vector)),
      [vectors.length, current.latentDim],
    );
    return generate(current.generator, z);
  });
}

async function renderGrid(): Promise<void> {
  const current = state!;
  const count = Number(element<HTMLSelectElement>('count').value);
  const seed = Math.max(0, Math.floor(Number(element<HTMLInputElement>('seed').value) || 0));
  const z = sampleLatent(count, current.latentDim, seed);
  const values = (await z.data()) as Float32Array;
  z.dispose();
  current.samples = Array.from({ length: count }, (_, index) =>
    values.slice(index * current.latentDim, (index + 1) * current.latentDim),
  );
  current.gridLayout = {
    count,
    columns: Math.ceil(Math.sqrt(count)),
    tileSize: current.imageSize * zoom(current.imageSize, count > 36 ? 64 : 88),
    padding: 4,
  };
  // The layout on the element too, for people reading the page's DOM and for the browser test's clicks.
  Object.assign(gridCanvas.dataset, {
    columns: String(current.gridLayout.columns),
    tileSize: String(current.gridLayout.tileSize),
    padding: '4',
  });
  const images = generateFrom(current.samples);
  try {
    await drawImages(gridCanvas, images, current.gridLayout);
  } finally {
    images.dispose();
  }
}

async function renderSlots(): Promise<void> {
  const current = state!;
  for (const name of slotNames) {
    const canvas = document.querySelector<HTMLCanvasElement>(`.slot[data-slot="${name}"] .slot-canvas`)!;
    const picks = current.slots[name];
    if (picks.length === 0) {
      clearCanvas(canvas, 'empty: click samples to fill');
      continue;
    }
    const images = generateFrom([...picks, meanVector(picks)]);
    try {
      const labels = [...picks.map(() => ''), 'mean'];
      await drawImages(
        canvas,
        images,
        {
          count: picks.length + 1,
          columns: picks.length + 1,
          tileSize: current.imageSize * zoom(current.imageSize, 56),
          padding: 3,
        },
        labels,
      );
    } finally {
      images.dispose();
    }
  }
}

async function renderArithmetic(): Promise<void> {
  const current = state!;
  const canvas = element<HTMLCanvasElement>('arithmetic-canvas');
  if (slotNames.some((name) => current.slots[name].length === 0)) {
    clearCanvas(canvas, 'fill slots A, B and C to see A − B + C');
    return;
  }
  const noise = Number(element<HTMLInputElement>('noise').value);
  const seed = Math.max(0, Math.floor(Number(element<HTMLInputElement>('seed').value) || 0));
  const images = tf.tidy(() => {
    const [a, b, c] = slotNames.map((name) =>
      tf.tensor2d(
        current.slots[name].flatMap((vector) => Array.from(vector)),
        [current.slots[name].length, current.latentDim],
      ),
    );
    const result = latentArithmetic(a!, b!, c!);
    const around = noisyNeighbours(result, { count: 8, noiseScale: noise, seed });
    // The exact result in the middle of a 3x3 block of its noisy neighbours.
    const z = tf.concat(
      [tf.slice(around, [0, 0], [4, -1]), tf.reshape(result, [1, -1]), tf.slice(around, [4, 0], [4, -1])],
      0,
    ) as tf.Tensor2D;
    return generate(current.generator, z);
  });
  try {
    await drawImages(
      canvas,
      images,
      { count: 9, columns: 3, tileSize: current.imageSize * zoom(current.imageSize, 110), padding: 4 },
      ['', '', '', '', 'A−B+C'],
    );
  } finally {
    images.dispose();
  }
}

async function renderInterpolation(): Promise<void> {
  const current = state!;
  const canvas = element<HTMLCanvasElement>('interpolation-canvas');
  const strip = element<HTMLCanvasElement>('strip-canvas');
  if (current.slots.A.length === 0 || current.slots.B.length === 0) {
    clearCanvas(canvas, 'fill slots A and B to interpolate');
    clearCanvas(strip, '');
    return;
  }
  const t = Number(element<HTMLInputElement>('t').value);
  const method = element<HTMLSelectElement>('method').value as InterpolationMethod;
  const [from, to] = [meanVector(current.slots.A), meanVector(current.slots.B)];
  const [single, path] = tf.tidy(() => {
    const a = tf.tensor1d(from);
    const b = tf.tensor1d(to);
    return [
      generate(current.generator, interpolate(a, b, t, method)),
      generate(current.generator, interpolate(a, b, evenFractions(10), method)),
    ];
  });
  try {
    await drawImages(canvas, single, {
      count: 1,
      columns: 1,
      tileSize: current.imageSize * zoom(current.imageSize, 256),
      padding: 4,
    });
    const nearest = Math.round(t * 9);
    await drawImages(
      strip,
      path,
      { count: 10, columns: 10, tileSize: current.imageSize * zoom(current.imageSize, 48), padding: 3 },
      path.shape[0] ? Array.from({ length: 10 }, (_, index) => (index === nearest ? '▲' : '')) : [],
    );
  } finally {
    tf.dispose([single, path]);
  }
}

const renderPicks = () =>
  schedule(async () => {
    await renderSlots();
    await renderArithmetic();
    await renderInterpolation();
  });

function pickSample(index: number): void {
  const current = state!;
  const vector = current.samples[index];
  if (vector === undefined) return;
  const slot = current.slots[current.active];
  slot.push(vector);
  if (slot.length > picksPerSlot) slot.shift();
  void renderPicks();
}

function downloadCanvas(id: string): void {
  const canvas = element<HTMLCanvasElement>(id);
  canvas.toBlob((blob) => {
    if (blob === null) return;
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = `dcgan-${id.replace(/-canvas$/, '')}.png`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  }, 'image/png');
}

function wireControls(): void {
  gridCanvas.addEventListener('click', (event) => {
    const bounds = gridCanvas.getBoundingClientRect();
    const x = ((event.clientX - bounds.left) * gridCanvas.width) / bounds.width;
    const y = ((event.clientY - bounds.top) * gridCanvas.height) / bounds.height;
    const index = tileAt(state!.gridLayout, x, y);
    if (index >= 0) pickSample(index);
  });
  element<HTMLButtonElement>('resample').addEventListener('click', () => {
    const seed = element<HTMLInputElement>('seed');
    seed.value = String((Number(seed.value) || 0) + 1);
    void schedule(renderGrid);
  });
  element<HTMLInputElement>('seed').addEventListener('change', () => void schedule(renderGrid));
  element<HTMLSelectElement>('count').addEventListener('change', () => void schedule(renderGrid));
  for (const radio of document.querySelectorAll<HTMLInputElement>('input[name="active-slot"]')) {
    radio.addEventListener('change', () => {
      if (radio.checked) state!.active = radio.value as SlotName;
    });
  }
  for (const button of document.querySelectorAll<HTMLButtonElement>('.clear-slot')) {
    button.addEventListener('click', () => {
      const name = button.closest<HTMLElement>('.slot')!.dataset.slot as SlotName;
      state!.slots[name] = [];
      void renderPicks();
    });
  }
  element<HTMLInputElement>('noise').addEventListener('input', (event) => {
    element<HTMLOutputElement>('noise-value').textContent = Number((event.target as HTMLInputElement).value).toFixed(2);
    void schedule(renderArithmetic);
  });
  element<HTMLInputElement>('t').addEventListener('input', (event) => {
    element<HTMLOutputElement>('t-value').textContent = Number((event.target as HTMLInputElement).value).toFixed(2);
    void schedule(renderInterpolation);
  });
  element<HTMLSelectElement>('method').addEventListener('change', () => void schedule(renderInterpolation));
  for (const button of document.querySelectorAll<HTMLButtonElement>('[data-download]')) {
    button.addEventListener('click', () => downloadCanvas(button.dataset.download!));
  }
}

async function start(): Promise<void> {
  const backend = await startBackend();
  document.body.dataset.backend = backend;
  const modelUrl = parameters.get('model') ?? 'model/model.json';
  setStatus(`Loading ${modelUrl} on ${backend}…`, 'loading');
  let generator: tfl.LayersModel;
  try {
    generator = await tfl.loadLayersModel(modelUrl);
  } catch (error) {
    throw new Error(`cannot load the generator from ${modelUrl}: ${(error as Error).message}`);
  }
  const { latentDim, imageSize, channels } = generatorShape(generator);
  state = {
    generator,
    latentDim,
    imageSize,
    samples: [],
    gridLayout: { count: 0, columns: 1, tileSize: 1, padding: 0 },
    slots: { A: [], B: [], C: [] },
    active: 'A',
  };
  wireControls();
  await schedule(async () => {
    await renderGrid();
    await renderSlots();
    await renderArithmetic();
    await renderInterpolation();
  });
  if (document.body.dataset.state !== 'error') {
    setStatus(
      `Generator: ${imageSize}px, ${channels === 1 ? 'gray' : 'RGB'}, z in R^${latentDim}; running on ${backend}.`,
    );
  }
}

start().catch((error: unknown) => setStatus(`Error: ${(error as Error).message}`, 'error'));
