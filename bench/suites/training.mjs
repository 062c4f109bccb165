// Training throughput of the DCGAN trainer per backend (issue 3): images/s at 32px (base width 32, batch
// 16 and 64) and 64px (base width 64, batch 64), the wasm backend with @dcgan/backend's training kernels
// against WebGPU (Dawn, on the adapter it names: a GPU, or Mesa's llvmpipe where there is none) and tfjs's
// pure-JS cpu backend in the same process, plus the wasm heap and tensor count at the start and end of a
// long run (1,000 steps; 20 with --quick) to show nothing grows. wasm runs on every core
// (initBackend's default); bench/suites/training-vs-pytorch.mjs compares thread counts and PyTorch.
//
// Uses the built packages: run `pnpm bench` (builds first) or build @dcgan/core and @dcgan/backend.
// The cpu backend is timed over one step at 32px/batch 16 (about a minute); its other sizes take many
// minutes per step and are skipped unless DCGAN_BENCH_CPU_ALL=1.
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const suite = 'training';

export async function run({ cores, quick }) {
  const requireFromBackend = createRequire(join(root, 'packages', 'backend', 'package.json'));
  const tf = requireFromBackend('@tensorflow/tfjs-core');
  const backendPackage = await import(join(root, 'packages', 'backend', 'dist', 'index.js'));
  const corePackage = await import(join(root, 'packages', 'core', 'dist', 'index.js'));
  const { initBackend, wasmTrainingThreads } = backendPackage;
  const { Trainer } = corePackage;

  const rows = [{ suite, name: 'machine cores', value: cores, unit: 'cores' }];
  const configurations = [
    { imageSize: 32, baseWidth: 32, batchSize: 16 },
    { imageSize: 32, baseWidth: 32, batchSize: 64 },
    { imageSize: 64, baseWidth: 64, batchSize: 64 },
  ];
  const label = ({ imageSize, baseWidth, batchSize }) => `${imageSize}px base ${baseWidth} batch ${batchSize}`;
  const measured = new Map();

  for (const backendName of ['wasm', 'webgpu', 'tensorflow', 'cpu']) {
    let selection;
    try {
      selection = await initBackend({ prefer: backendName });
    } catch (error) {
      rows.push({
        suite,
        name: `${backendName}: train`,
        value: null,
        unit: 'img/s',
        note: `not available: ${firstLine(error)}`,
      });
      continue;
    }
    for (const configuration of configurations) {
      const name = `${backendName}: train ${label(configuration)}`;
      const isCpu = backendName === 'cpu';
      if (isCpu && configuration.batchSize !== 16 && process.env.DCGAN_BENCH_CPU_ALL !== '1') {
        rows.push({
          suite,
          name,
          value: null,
          unit: 'img/s',
          note: 'skipped: minutes per step on cpu (DCGAN_BENCH_CPU_ALL=1 runs it)',
        });
        continue;
      }
      if (
        selection.webgpuAdapter?.software === true &&
        configuration.imageSize === 64 &&
        process.env.DCGAN_BENCH_WEBGPU_ALL !== '1'
      ) {
        rows.push({
          suite,
          name,
          value: null,
          unit: 'img/s',
          note: `skipped: minutes per step on a software adapter (${backendPackage.formatAdapter(selection.webgpuAdapter)}; DCGAN_BENCH_WEBGPU_ALL=1 runs it)`,
        });
        continue;
      }
      const isLongRun = backendName === 'wasm' && configuration.batchSize === 16;
      // A software WebGPU adapter (llvmpipe) is slower than wasm and compiles every shader on the CPU first.
      const isSoftwareGpu = selection.webgpuAdapter?.software === true;
      const steps = isCpu
        ? 1
        : isLongRun
          ? quick
            ? 20
            : 1000
          : isSoftwareGpu
            ? 2
            : configuration.imageSize === 64
              ? quick
                ? 2
                : 4
              : quick
                ? 4
                : 20;
      const result = await timeTraining(
        tf,
        Trainer,
        configuration,
        steps,
        isCpu ? 0 : isLongRun ? 5 : isSoftwareGpu ? 1 : 2,
        isLongRun,
      );
      measured.set(name, result.imagesPerSecond);
      const threads =
        backendName === 'wasm' ? ` (${wasmTrainingThreads()} thread${wasmTrainingThreads() === 1 ? '' : 's'})` : '';
      const adapter =
        selection.webgpuAdapter === undefined ? '' : ` on ${backendPackage.formatAdapter(selection.webgpuAdapter)}`;
      const note = `${steps} step${steps === 1 ? '' : 's'}, ${selection.tfjsBackend}${threads}${adapter}; median step ${result.medianSeconds.toFixed(3)} s; load ${loadavg()[0].toFixed(1)}`;
      rows.push({
        suite,
        name,
        value: result.imagesPerSecond,
        unit: 'img/s',
        note,
        ...(configuration.batchSize === 16 && configuration.imageSize === 32 && backendName === 'wasm'
          ? { target: '>= 100x cpu, aim >= 128' }
          : {}),
      });
      if (result.memory !== undefined) {
        const { start, end } = result.memory;
        rows.push(
          {
            suite,
            name: `${backendName}: wasm heap bytes at step ${start.step} / ${end.step}`,
            value: end.heapBytes,
            unit: 'bytes',
            note: `start ${start.heapBytes}; growth ${end.heapBytes - start.heapBytes}`,
            target: 'no growth',
          },
          {
            suite,
            name: `${backendName}: tensors at step ${start.step} / ${end.step}`,
            value: end.numTensors,
            unit: 'tensors',
            note: `start ${start.numTensors}; tensor bytes ${start.numBytes} -> ${end.numBytes}`,
            target: 'no growth',
          },
        );
      }
    }
  }
  for (const configuration of configurations) {
    const webgpu = measured.get(`webgpu: train ${label(configuration)}`);
    const wasmRate = measured.get(`wasm: train ${label(configuration)}`);
    if (webgpu !== undefined && wasmRate !== undefined) {
      rows.push({
        suite,
        name: `webgpu / wasm speed-up, ${label(configuration)}`,
        value: webgpu / wasmRate,
        unit: 'x',
        note: 'GPU target (64px base 64 batch 128, H100-class): >= 1,000 img/s',
      });
    }
  }
  const wasm = measured.get(`wasm: train ${label(configurations[0])}`);
  const cpu = measured.get(`cpu: train ${label(configurations[0])}`);
  if (wasm !== undefined && cpu !== undefined) {
    rows.push({
      suite,
      name: `wasm / cpu speed-up, ${label(configurations[0])}`,
      value: wasm / cpu,
      unit: 'x',
      target: '>= 100',
    });
  }
  return rows;
}

/** Trains `steps` timed steps (after `warmup` untimed ones) on the current backend; images/s from the median step. */
async function timeTraining(tf, Trainer, { imageSize, baseWidth, batchSize }, steps, warmup, recordMemory) {
  const trainer = new Trainer({ config: { imageSize, channels: 3, baseWidth }, batchSize, seed: 1 });
  const real = tf.tidy(() =>
    tf.sub(tf.mul(tf.randomUniform([batchSize, imageSize, imageSize, 3], 0, 1, 'float32', 7), 2), 1),
  );
  try {
    for (let step = 0; step < warmup; step++) await trainer.step(real);
    const snapshot = () => ({
      step: trainer.completedSteps,
      heapBytes: wasmHeapBytes(tf),
      numTensors: tf.memory().numTensors,
      numBytes: tf.memory().numBytes,
    });
    const start = snapshot();
    const seconds = [];
    for (let step = 0; step < steps; step++) {
      const began = performance.now();
      await trainer.step(real);
      seconds.push((performance.now() - began) / 1000);
    }
    const end = snapshot();
    seconds.sort((a, b) => a - b);
    const medianSeconds = seconds[Math.floor((seconds.length - 1) / 2)];
    return {
      imagesPerSecond: batchSize / medianSeconds,
      medianSeconds,
      memory: recordMemory ? { start, end } : undefined,
    };
  } finally {
    real.dispose();
    trainer.dispose();
  }
}

/** Size of the wasm backend's linear memory (it only grows), or null on other backends. */
function wasmHeapBytes(tf) {
  const backend = tf.backend();
  return backend?.wasm?.HEAPU8?.buffer?.byteLength ?? null;
}

function firstLine(error) {
  return String(error?.message ?? error).split('\n')[0];
}
