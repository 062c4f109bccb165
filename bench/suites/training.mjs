// Training throughput of the DCGAN trainer per backend (issue 3): images/s at 32px (base width 32, batch
// 16 and 64) and 64px (base width 64, batch 64), the wasm backend with @dcgan/backend's training kernels
// against WebGPU (Dawn, on the adapter it names: a GPU, or Mesa's llvmpipe where there is none) and tfjs's
// pure-JS cpu backend in the same process, plus the wasm heap and tensor count at the start and end of a
// long run (1,000 steps; 20 with --quick) to show nothing grows.
//
// Uses the built packages: run `pnpm bench` (builds first) or build @dcgan/core and @dcgan/backend.
// The cpu backend is timed over one step at 32px/batch 16 (about a minute); its other sizes take many
// minutes per step and are skipped unless DCGAN_BENCH_CPU_ALL=1.
import { readFileSync } from 'node:fs';
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
  const { initBackend, setWasmTrainingThreads } = backendPackage;
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
      rows.push({ suite, name: `${backendName}: train`, value: null, unit: 'img/s', note: `not available: ${firstLine(error)}` });
      continue;
    }
    for (const configuration of configurations) {
      const name = `${backendName}: train ${label(configuration)}`;
      const isCpu = backendName === 'cpu';
      if (isCpu && configuration.batchSize !== 16 && process.env.DCGAN_BENCH_CPU_ALL !== '1') {
        rows.push({ suite, name, value: null, unit: 'img/s', note: 'skipped: minutes per step on cpu (DCGAN_BENCH_CPU_ALL=1 runs it)' });
        continue;
      }
      if (selection.webgpuAdapter?.software === true && configuration.imageSize === 64 && process.env.DCGAN_BENCH_WEBGPU_ALL !== '1') {
        rows.push({ suite, name, value: null, unit: 'img/s', note: `skipped: minutes per step on a software adapter (${backendPackage.formatAdapter(selection.webgpuAdapter)}; DCGAN_BENCH_WEBGPU_ALL=1 runs it)` });
        continue;
      }
      const isLongRun = backendName === 'wasm' && configuration.batchSize === 16;
      // A software WebGPU adapter (llvmpipe) is slower than wasm and compiles every shader on the CPU first.
      const isSoftwareGpu = selection.webgpuAdapter?.software === true;
      const steps = isCpu ? 1 : isLongRun ? (quick ? 20 : 1000) : isSoftwareGpu ? 2 : configuration.imageSize === 64 ? (quick ? 2 : 4) : quick ? 4 : 20;
      const result = await timeTraining(tf, Trainer, configuration, steps, isCpu ? 0 : isLongRun ? 5 : isSoftwareGpu ? 1 : 2, isLongRun);
      measured.set(name, result.imagesPerSecond);
      const adapter = selection.webgpuAdapter === undefined ? '' : ` on ${backendPackage.formatAdapter(selection.webgpuAdapter)}`;
      const note = `${steps} step${steps === 1 ? '' : 's'}, ${selection.tfjsBackend}${adapter}; median step ${result.medianSeconds.toFixed(3)} s; load ${loadavg()[0].toFixed(1)}`;
      rows.push({ suite, name, value: result.imagesPerSecond, unit: 'img/s', note, ...(configuration.batchSize === 16 && configuration.imageSize === 32 && backendName === 'wasm' ? { target: '>= 100x cpu, aim >= 128' } : {}) });
      if (result.memory !== undefined) {
        const { start, end } = result.memory;
        rows.push(
          { suite, name: `${backendName}: wasm heap bytes at step ${start.step} / ${end.step}`, value: end.heapBytes, unit: 'bytes', note: `start ${start.heapBytes}; growth ${end.heapBytes - start.heapBytes}`, target: 'no growth' },
          { suite, name: `${backendName}: tensors at step ${start.step} / ${end.step}`, value: end.numTensors, unit: 'tensors', note: `start ${start.numTensors}; tensor bytes ${start.numBytes} -> ${end.numBytes}`, target: 'no growth' },
        );
      }
    }
  }
  // One wasm thread against two (a worker thread computing half of each large convolution), alternating in
  // one process on the same trainer so that other load on a shared machine falls on both alike.
  if (setWasmTrainingThreads !== undefined && cores >= 2) {
    try {
      await initBackend({ prefer: 'wasm', wasmThreads: 1 });
      for (const configuration of configurations.slice(0, 2)) {
        const comparison = await compareThreads(tf, Trainer, setWasmTrainingThreads, configuration, quick ? 2 : 6, 3);
        const load = comparison.loadAverage.map((value) => value.toFixed(1)).join(' / ');
        for (const threads of [1, 2]) {
          const result = comparison.byThreads[threads];
          rows.push({
            suite,
            name: `wasm ${threads} thread${threads === 1 ? '' : 's'}: train ${label(configuration)}`,
            value: result.imagesPerSecond,
            unit: 'img/s',
            note: `${result.steps} steps alternating 1/2 threads; median step ${result.medianSeconds.toFixed(3)} s; main-thread cpu ${result.mainThreadCpuMilliseconds.toFixed(0)} ms/step, process cpu ${result.processCpuMilliseconds.toFixed(0)} ms/step; load average ${load}`,
          });
        }
        rows.push({ suite, name: `wasm 2 / 1 threads, ${label(configuration)}`, value: comparison.byThreads[2].imagesPerSecond / comparison.byThreads[1].imagesPerSecond, unit: 'x', note: `load average ${load} on ${cores} cores` });
      }
    } finally {
      await setWasmTrainingThreads(1);
    }
  }
  for (const configuration of configurations) {
    const webgpu = measured.get(`webgpu: train ${label(configuration)}`);
    const wasmRate = measured.get(`wasm: train ${label(configuration)}`);
    if (webgpu !== undefined && wasmRate !== undefined) {
      rows.push({ suite, name: `webgpu / wasm speed-up, ${label(configuration)}`, value: webgpu / wasmRate, unit: 'x', note: 'GPU target (64px base 64 batch 128, H100-class): >= 1,000 img/s' });
    }
  }
  const wasm = measured.get(`wasm: train ${label(configurations[0])}`);
  const cpu = measured.get(`cpu: train ${label(configurations[0])}`);
  if (wasm !== undefined && cpu !== undefined) {
    rows.push({ suite, name: `wasm / cpu speed-up, ${label(configurations[0])}`, value: wasm / cpu, unit: 'x', target: '>= 100' });
  }
  return rows;
}

/** Trains `steps` timed steps (after `warmup` untimed ones) on the current backend; images/s from the median step. */
async function timeTraining(tf, Trainer, { imageSize, baseWidth, batchSize }, steps, warmup, recordMemory) {
  const trainer = new Trainer({ config: { imageSize, channels: 3, baseWidth }, batchSize, seed: 1 });
  const real = tf.tidy(() => tf.sub(tf.mul(tf.randomUniform([batchSize, imageSize, imageSize, 3], 0, 1, 'float32', 7), 2), 1));
  try {
    for (let step = 0; step < warmup; step++) await trainer.step(real);
    const snapshot = () => ({ step: trainer.completedSteps, heapBytes: wasmHeapBytes(tf), numTensors: tf.memory().numTensors, numBytes: tf.memory().numBytes });
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
    return { imagesPerSecond: batchSize / medianSeconds, medianSeconds, memory: recordMemory ? { start, end } : undefined };
  } finally {
    real.dispose();
    trainer.dispose();
  }
}

/**
 * Steps one trainer with 1 and 2 wasm threads in turn (`rounds` rounds of `perRound` timed steps each, after
 * one untimed step per switch); images/s from each setting's median step, with the main thread's own cpu time
 * (from /proc, where there is one) and the whole process's cpu time per step.
 */
async function compareThreads(tf, Trainer, setWasmTrainingThreads, { imageSize, baseWidth, batchSize }, rounds, perRound) {
  const trainer = new Trainer({ config: { imageSize, channels: 3, baseWidth }, batchSize, seed: 1 });
  const real = tf.tidy(() => tf.sub(tf.mul(tf.randomUniform([batchSize, imageSize, imageSize, 3], 0, 1, 'float32', 7), 2), 1));
  const samples = { 1: { seconds: [], main: 0, process: 0 }, 2: { seconds: [], main: 0, process: 0 } };
  try {
    for (let step = 0; step < 2; step++) await trainer.step(real);
    for (let round = 0; round < rounds; round++) {
      for (const threads of [1, 2]) {
        await setWasmTrainingThreads(threads);
        await trainer.step(real);
        const mainBefore = mainThreadCpuMilliseconds();
        const processBefore = processCpuMilliseconds();
        for (let step = 0; step < perRound; step++) {
          const began = performance.now();
          await trainer.step(real);
          samples[threads].seconds.push((performance.now() - began) / 1000);
        }
        samples[threads].main += mainThreadCpuMilliseconds() - mainBefore;
        samples[threads].process += processCpuMilliseconds() - processBefore;
      }
    }
  } finally {
    await setWasmTrainingThreads(1);
    real.dispose();
    trainer.dispose();
  }
  const summarise = ({ seconds, main, process: processCpu }) => {
    const sorted = [...seconds].sort((a, b) => a - b);
    const medianSeconds = sorted[Math.floor((sorted.length - 1) / 2)];
    return {
      steps: seconds.length,
      medianSeconds,
      imagesPerSecond: batchSize / medianSeconds,
      mainThreadCpuMilliseconds: main / seconds.length,
      processCpuMilliseconds: processCpu / seconds.length,
    };
  };
  return { byThreads: { 1: summarise(samples[1]), 2: summarise(samples[2]) }, loadAverage: loadavg() };
}

/** cpu time of this process's main thread (Linux /proc; NaN elsewhere). */
function mainThreadCpuMilliseconds() {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

function processCpuMilliseconds() {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** Size of the wasm backend's linear memory (it only grows), or null on other backends. */
function wasmHeapBytes(tf) {
  const backend = tf.backend();
  return backend?.wasm?.HEAPU8?.buffer?.byteLength ?? null;
}

function firstLine(error) {
  return String(error?.message ?? error).split('\n')[0];
}
