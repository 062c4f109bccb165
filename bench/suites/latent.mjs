// @dcgan/latent (issue 7): how long each section-6 figure takes for the quickstart's model size
// (32px gray, base width 32, z in R^100) on the backend @dcgan/backend picks here (wasm with its
// training kernels; guided backprop needs gradients). Each row is the fastest of its repetitions (least
// disturbed by other work on a shared machine); the note gives the load average. Models are freshly
// initialised: timings do not depend on the weights.
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const suite = 'latent';

export async function run({ quick }) {
  const requireFromLatent = createRequire(join(root, 'packages', 'latent', 'package.json'));
  const tf = requireFromLatent('@tensorflow/tfjs-core');
  const { initBackend } = await import(join(root, 'packages', 'backend', 'dist', 'index.js'));
  const core = await import(join(root, 'packages', 'core', 'dist', 'index.js'));
  const latent = await import(join(root, 'packages', 'latent', 'dist', 'index.js'));
  const backend = await initBackend();
  const config = { imageSize: 32, channels: 1, baseWidth: 32, latentDim: 100 };
  const generator = core.createGenerator(config, { seed: 1 });
  const discriminator = core.createDiscriminator(config, { seed: 1 });
  const repetitions = quick ? 1 : 3;
  const rows = [];
  const fastest = async (work) => {
    let best = Infinity;
    for (let repetition = 0; repetition < repetitions; repetition++) {
      const started = performance.now();
      await work();
      best = Math.min(best, (performance.now() - started) / 1000);
    }
    return best;
  };
  const note = () => `${backend.name}; load ${loadavg()[0].toFixed(1)}`;
  const numTensors = tf.memory().numTensors;

  const walk = await fastest(async () => {
    const grid = latent.walkGrid(generator, { rows: 6, points: 2, stepsPerSegment: 10, method: 'spherical', seed: 1 });
    await grid.images.data();
    tf.dispose([grid.images, grid.latents]);
  });
  rows.push({
    suite,
    name: 'walk grid 6 x 10 (figure 4, slerp)',
    value: walk,
    unit: 's',
    target: '< 5',
    note: `${(60 / walk).toFixed(0)} images/s; ${note()}`,
  });

  const z = core.sampleLatent(9, 100, 2);
  const arithmetic = await fastest(async () => {
    const [a, b, c] = [0, 3, 6].map((start) => tf.slice(z, [start], [3]));
    const result = latent.vectorArithmetic(generator, { a, b, c });
    const figure = latent.arithmeticFigure(result);
    await figure.images.data();
    tf.dispose([
      a,
      b,
      c,
      figure.images,
      result.result,
      result.latents,
      result.resultImages,
      result.averageImages,
      result.pixelSpace,
      ...Object.values(result.conceptImages),
    ]);
  });
  rows.push({
    suite,
    name: 'vector arithmetic figure (figure 7)',
    value: arithmetic,
    unit: 's',
    target: '< 5',
    note: note(),
  });

  const sheet = core.sampleLatent(64, 100, 3);
  const boxes = Array.from({ length: 32 }, (_, index) => ({
    sample: index * 2,
    x: (index % 4) * 4,
    y: 4 + (index % 3) * 4,
    width: 12,
    height: 10,
  }));
  let fitted;
  const forget = await fastest(async () => {
    fitted = await latent.fitObjectFeatureMaps(generator, sheet, boxes);
    const images = latent.generateWithoutFeatureMaps(generator, sheet, fitted.droppedMaps);
    await images.data();
    images.dispose();
  });
  rows.push({
    suite,
    name: 'forget: fit on 32 boxed samples + render 64 without maps',
    value: forget,
    unit: 's',
    target: '< 10',
    note: `${fitted.positives + fitted.negatives} positions x ${fitted.mapCount} maps, ${fitted.iterations} Newton steps; ${note()}`,
  });

  const imageLatents = core.sampleLatent(quick ? 64 : 256, 100, 4);
  const images = core.generate(generator, imageLatents);
  const visualize = await fastest(async () => {
    const result = await latent.visualizeDiscriminatorFeatures(discriminator, images, {
      features: 6,
      imagesPerFeature: 8,
    });
    await result.gradients.data();
    tf.dispose([result.gradients, result.inputs]);
  });
  rows.push({
    suite,
    name: `guided backprop figure: top 6 of ${images.shape[0]} images x 8 (figure 5, one D)`,
    value: visualize,
    unit: 's',
    target: '< 30',
    note: note(),
  });
  tf.dispose([z, sheet, imageLatents, images]);
  rows.push({
    suite,
    name: 'tensors left after all figures',
    value: tf.memory().numTensors - numTensors,
    unit: 'tensors',
    target: '0',
  });
  generator.dispose();
  discriminator.dispose();
  return rows;
}
