// dcgan-gpu-check: what a GPU machine without a package registry can tell us. Lists the WebGPU adapters Dawn
// finds, then trains the paper's 64px DCGAN (base width 64, batch 128, Adam 2e-4 / 0.5) for a fixed number of
// steps on webgpu, on tensorflow-gpu where @tensorflow/tfjs-node-gpu loads, and on wasm, and prints images/s
// side by side (from the median step). Runs from the folder `pnpm gpu-check` builds: node gpu-check.mjs.
import { existsSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { formatAdapter, initBackend, listWebGpuAdapters } from '@dcgan/backend';
import { integerOption, parseOptions, runCommandLine, standardOptionsHelp } from '@dcgan/cli/basic';
import { Trainer } from '@dcgan/core';
import * as cpuBackend from '@tensorflow/tfjs-backend-cpu';
import * as wasmBackend from '@tensorflow/tfjs-backend-wasm';
import * as webgpuBackend from '@tensorflow/tfjs-backend-webgpu';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import * as dawn from 'webgpu';

const here = dirname(fileURLToPath(import.meta.url));
const help = `dcgan-gpu-check: WebGPU adapters and DCGAN training speed on this machine (no install, no network).

  node gpu-check.mjs [--steps 20] [--warmup 3] [--wasm-steps 2] [--size 64] [--base-width 64] [--batch-size 128]
                     [--backends webgpu,tensorflow-gpu,wasm] [--json results.json]

Needs Node 20+ and a GPU driver with Vulkan (Linux: NVIDIA's driver; in a container NVIDIA_DRIVER_CAPABILITIES
must include graphics), Metal (macOS) or Direct3D 12 (Windows). This folder carries Dawn for linux-x64 only.

${standardOptionsHelp(23)}`;

// Everything the bundle carries, handed to @dcgan/backend instead of resolving packages at run time (one
// tfjs-core for all). tensorflow-gpu is native and not bundled: it is looked up next to the folder / in cwd.
const bundled = {
  webgpu: dawn,
  '@tensorflow/tfjs-backend-webgpu': webgpuBackend,
  '@tensorflow/tfjs-backend-wasm': wasmBackend,
  '@tensorflow/tfjs-backend-cpu': cpuBackend,
};
const importModule = async (specifier) => bundled[specifier] ?? import(specifier);

/** @param {readonly string[]} argv */
async function main(argv) {
  const { values } = parseOptions(argv, {
    steps: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '3' },
    'wasm-steps': { type: 'string', default: '2' },
    size: { type: 'string', default: '64' },
    'base-width': { type: 'string', default: '64' },
    'batch-size': { type: 'string', default: '128' },
    backends: { type: 'string', default: 'webgpu,tensorflow-gpu,wasm' },
    json: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  const number = (name) => integerOption(`--${name}`, values[name], 1, { minimum: 1 });
  const size = number('size');
  const baseWidth = number('base-width');
  const batchSize = number('batch-size');
  const wasmFiles = join(here, 'wasm');
  if (existsSync(wasmFiles)) wasmBackend.setWasmPaths(`${wasmFiles}/`);

  const out = (line) => process.stdout.write(`${line}\n`);
  out(
    `dcgan-gpu-check: node ${process.versions.node} on ${process.platform}-${process.arch}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'})`,
  );
  let adapters = [];
  try {
    adapters = await listWebGpuAdapters({ importModule });
    out(`WebGPU adapters (Dawn): ${adapters.length === 0 ? 'none' : ''}`);
    for (const adapter of adapters)
      out(
        `  ${formatAdapter(adapter)}  [vendor ${adapter.vendor}, architecture ${adapter.architecture || '-'}, device ${adapter.device || '-'}]`,
      );
  } catch (error) {
    out(`WebGPU: Dawn did not load: ${firstLine(error)}`);
  }

  const model = `${size}px, base width ${baseWidth}, batch ${batchSize}`;
  out(`\ntraining ${model} (Adam 2e-4 / 0.5; random images in [-1, 1]):`);
  const results = [];
  for (const name of values.backends
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)) {
    let selection;
    try {
      selection = await initBackend({ prefer: name, importModule });
    } catch (error) {
      out(`  ${name.padEnd(15)} not available: ${firstLine(error)}`);
      results.push({ backend: name, available: false, reason: firstLine(error) });
      continue;
    }
    const steps = name === 'wasm' ? number('wasm-steps') : number('steps');
    const warmup = name === 'wasm' ? 1 : number('warmup');
    const where =
      selection.webgpuAdapter === undefined ? selection.tfjsBackend : formatAdapter(selection.webgpuAdapter);
    out(`  ${name.padEnd(15)} ${where}: ${warmup} warm-up + ${steps} timed steps...`);
    const timing = await timeTraining({ size, baseWidth, batchSize, steps, warmup });
    out(
      `  ${name.padEnd(15)} ${timing.imagesPerSecond.toFixed(1)} images/s (median step ${timing.medianSeconds.toFixed(3)} s; first step ${timing.firstStepSeconds.toFixed(1)} s${name === 'webgpu' ? ' incl. shader compilation' : ''}; tensors ${timing.tensors.start} -> ${timing.tensors.end})`,
    );
    results.push({ backend: name, available: true, device: where, usingGpu: selection.usingGpu, ...timing });
  }
  const rate = (name) => results.find((result) => result.backend === name && result.available)?.imagesPerSecond;
  out('');
  out(`summary (${model}), load average ${loadavg()[0].toFixed(1)}:`);
  for (const result of results)
    out(
      `  ${result.backend.padEnd(15)} ${result.available ? `${result.imagesPerSecond.toFixed(1).padStart(9)} images/s  ${result.device}` : `      n/a  ${result.reason}`}`,
    );
  if (rate('webgpu') !== undefined && rate('wasm') !== undefined)
    out(`  webgpu / wasm: ${(rate('webgpu') / rate('wasm')).toFixed(1)}x`);
  out('  target: >= 1,000 images/s on an H100-class GPU');
  if (values.json !== undefined) {
    writeFileSync(
      values.json,
      `${JSON.stringify({ node: process.versions.node, platform: `${process.platform}-${process.arch}`, model: { size, baseWidth, batchSize }, adapters, results }, null, 2)}\n`,
    );
  }
  return 0;
}

/** Trains `warmup` untimed and `steps` timed steps on the current backend; images/s from the median step. */
async function timeTraining({ size, baseWidth, batchSize, steps, warmup }) {
  const trainer = new Trainer({ config: { imageSize: size, channels: 3, baseWidth }, batchSize, seed: 1 });
  const real = tf.tidy(() => tf.sub(tf.mul(tf.randomUniform([batchSize, size, size, 3], 0, 1, 'float32', 7), 2), 1));
  try {
    let firstStepSeconds = Number.NaN;
    for (let step = 0; step < warmup; step++) {
      const began = performance.now();
      await trainer.step(real);
      if (step === 0) firstStepSeconds = (performance.now() - began) / 1000;
    }
    const start = tf.memory().numTensors;
    const seconds = [];
    for (let step = 0; step < steps; step++) {
      const began = performance.now();
      await trainer.step(real); // resolves after reading the losses back: the GPU's work is done
      seconds.push((performance.now() - began) / 1000);
    }
    const sorted = [...seconds].sort((a, b) => a - b);
    const medianSeconds = sorted[Math.floor((sorted.length - 1) / 2)];
    return {
      steps,
      warmup,
      imagesPerSecond: batchSize / medianSeconds,
      medianSeconds,
      firstStepSeconds,
      stepSeconds: seconds,
      tensors: { start, end: tf.memory().numTensors },
    };
  } finally {
    real.dispose();
    trainer.dispose();
  }
}

function firstLine(error) {
  return String(error?.message ?? error).split('\n')[0];
}

void runCommandLine('dcgan-gpu-check', main);
