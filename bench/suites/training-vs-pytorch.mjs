// The DCGAN trainer on wasm against PyTorch on the same machine (issue 16): the pytorch/examples DCGAN
// (bench/pytorch/dcgan_step.py, run with /usr/bin/python3 or $DCGAN_BENCH_PYTHON where it has torch) and
// @dcgan/core's Trainer (bench/train-steps.mjs) at the same sizes and thread counts, random data. Each round
// runs every contender once, in turn, in a fresh process, so that other load on a shared machine falls on all
// alike; a ratio is taken within each round and the rows give the median round (min-max in the note).
//
//   32px, base width 32, batch 16, 1 thread each          target >= 0.35x PyTorch
//   64px, base width 64, batch 64, all cores each         target >= 0.5x PyTorch
//   64px on 1 thread (ours), to show what the threads give
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const suite = 'training-vs-pytorch';

export async function run({ quick }) {
  const cores = Math.min(8, availableParallelism());
  const python = process.env.DCGAN_BENCH_PYTHON ?? '/usr/bin/python3';
  const torch = torchVersion(python);
  const rounds = quick ? 1 : 3;
  const configurations = [
    {
      imageSize: 32,
      baseWidth: 32,
      batchSize: 16,
      threads: 1,
      steps: quick ? 5 : 20,
      warmup: 3,
      target: '>= 0.35x PyTorch',
    },
    {
      imageSize: 64,
      baseWidth: 64,
      batchSize: 64,
      threads: cores,
      steps: quick ? 2 : 5,
      warmup: 1,
      target: '>= 0.5x PyTorch',
      compareOneThread: cores > 1,
    },
  ];
  const rows = [];
  for (const configuration of configurations) {
    const { imageSize, baseWidth, batchSize, threads, steps, warmup } = configuration;
    const label = `${imageSize}px base ${baseWidth} batch ${batchSize}, ${threads} thread${threads === 1 ? '' : 's'}`;
    const samples = { ours: [], torch: [], oursOneThread: [] };
    const loads = [];
    for (let round = 0; round < rounds; round++) {
      samples.ours.push(ours(imageSize, baseWidth, batchSize, threads, steps, warmup));
      if (configuration.compareOneThread)
        samples.oursOneThread.push(ours(imageSize, baseWidth, batchSize, 1, steps, warmup));
      if (torch.version !== undefined)
        samples.torch.push(pytorch(python, imageSize, baseWidth, batchSize, threads, steps, warmup));
      loads.push(loadavg()[0]);
    }
    const load = `load average ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)} on ${availableParallelism()} cores`;
    const oursRate = median(samples.ours.map((sample) => sample.imagesPerSecond));
    rows.push({
      suite,
      name: `ours (wasm): train ${label}`,
      value: oursRate,
      unit: 'img/s',
      note: `median of ${rounds} round(s) of ${steps} steps; wasm threads ${samples.ours[0]?.threads}; cpu ${median(samples.ours.map((sample) => sample.cpuMillisecondsPerStep)).toFixed(0)} ms/step; ${load}`,
    });
    if (torch.version === undefined) {
      rows.push({
        suite,
        name: `pytorch: train ${label}`,
        value: null,
        unit: 'img/s',
        note: `no PyTorch: ${torch.reason}`,
      });
    } else {
      const ratios = samples.ours.map((sample, index) => sample.imagesPerSecond / samples.torch[index].imagesPerSecond);
      rows.push(
        {
          suite,
          name: `pytorch: train ${label}`,
          value: median(samples.torch.map((sample) => sample.imagesPerSecond)),
          unit: 'img/s',
          note: `torch ${torch.version} (${python}), torch.set_num_threads(${threads}); same rounds`,
        },
        {
          suite,
          name: `ours / pytorch, ${label}`,
          value: median(ratios),
          unit: 'x',
          target: configuration.target,
          note: `per-round ratios ${ratios.map((ratio) => ratio.toFixed(2)).join(', ')}; ${load}`,
        },
      );
    }
    if (configuration.compareOneThread) {
      const speedUps = samples.ours.map(
        (sample, index) => sample.imagesPerSecond / samples.oursOneThread[index].imagesPerSecond,
      );
      rows.push(
        {
          suite,
          name: `ours (wasm): train ${imageSize}px base ${baseWidth} batch ${batchSize}, 1 thread`,
          value: median(samples.oursOneThread.map((sample) => sample.imagesPerSecond)),
          unit: 'img/s',
          note: 'same rounds',
        },
        {
          suite,
          name: `ours ${threads} threads / 1 thread, ${imageSize}px base ${baseWidth} batch ${batchSize}`,
          value: median(speedUps),
          unit: 'x',
          note: `per-round ${speedUps.map((value) => value.toFixed(2)).join(', ')}; ${load}`,
        },
      );
    }
  }
  return rows;
}

function ours(imageSize, baseWidth, batchSize, threads, steps, warmup) {
  const result = runJson(process.execPath, [
    join(root, 'bench', 'train-steps.mjs'),
    imageSize,
    baseWidth,
    batchSize,
    threads,
    steps,
    warmup,
  ]);
  return { ...result, imagesPerSecond: batchSize / median(result.seconds) };
}

function pytorch(python, imageSize, baseWidth, batchSize, threads, steps, warmup) {
  const result = runJson(python, [
    join(root, 'bench', 'pytorch', 'dcgan_step.py'),
    imageSize,
    baseWidth,
    batchSize,
    threads,
    steps,
    warmup,
  ]);
  return { ...result, imagesPerSecond: batchSize / median(result.seconds) };
}

function runJson(command, args) {
  const result = spawnSync(command, args.map(String), { encoding: 'utf8', maxBuffer: 1 << 24 });
  const line = result.stdout?.trim().split('\n').at(-1);
  if (result.status !== 0 || line === undefined || line === '') {
    throw new Error(
      `${command} ${args.join(' ')} failed (exit ${result.status}): ${result.stderr?.trim().split('\n').slice(-3).join(' ')}`,
    );
  }
  return JSON.parse(line);
}

function torchVersion(python) {
  if (!existsSync(python)) return { reason: `${python} not found (set DCGAN_BENCH_PYTHON)` };
  const result = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  if (result.status !== 0) return { reason: `${python} has no torch (Debian: apt-get install python3-torch)` };
  return { version: result.stdout.trim() };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}
