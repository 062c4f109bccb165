// @dcgan/data throughput and memory (issue 4).
//
// Rows:
// - decode + resize + centre crop of 256px JPEGs to 64px through the real pipeline (openImageFolder +
//   createBatches with resizeThenCenterCrop(64)); target >= 1,000 images/s on 2 cores. JPEGs go through the DCT-
//   domain fast path on worker threads; the same pipeline with the fast path off (sharp for every image) and sharp
//   called directly (libvips' own ceiling) are the comparison rows. CPU time per image counts every thread of the
//   process (workers and libuv's pool included): on a shared machine wall-clock
//   rates fall with the load, so the note gives the CPU cost and the rate 2 dedicated cores would reach at that
//   cost, and the load average during the run.
// - input wait: MNIST batches (64 x 32x32x3, [pad(32), toRgb()]) consumed by a simulated training step that
//   keeps the CPU busy for a fixed time; the share of wall time spent waiting for the next batch. Target < 5%.
// - peak RSS while streaming a folder of 100,000 small JPEGs (10,000 with --quick) through shuffled batches.
//
// - for scale, the same JPEGs decoded single-threaded by PIL (libjpeg-turbo) with draft mode (DCT-domain
//   downscaling to 64px), where Debian's python3-pil is installed: what a lean decoder costs on this machine.
//
// Images are generated in a temporary folder (sharp encodes them) and removed afterwards.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const suite = 'data';

function photoLike(sharp, index, width, height) {
  // Smooth gradients, a disc and mild noise: JPEG-compresses and decodes like a photo, unlike pure noise.
  let state = index * 7919 + 1;
  const random = () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
  const raw = Buffer.alloc(width * height * 3);
  const base = [random() * 255, random() * 255, random() * 255];
  const centerX = random() * width;
  const centerY = random() * height;
  const radius = (0.1 + random() * 0.25) * width;
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const inside = (x - centerX) ** 2 + (y - centerY) ** 2 < radius * radius;
      for (let channel = 0; channel < 3; channel += 1) {
        const value =
          (inside ? 255 - base[channel] : base[channel]) +
          ((x - y) * 50 * (channel + 1)) / width +
          (random() - 0.5) * 24;
        raw[(y * width + x) * 3 + channel] = Math.max(0, Math.min(255, value));
      }
    }
  }
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
}

function cpuSeconds(since) {
  const usage = process.cpuUsage(since);
  return (usage.user + usage.system) / 1e6;
}

async function timeDecode(count, run) {
  const load = loadavg()[0];
  const cpu = process.cpuUsage();
  const started = performance.now();
  const images = await run();
  const seconds = (performance.now() - started) / 1000;
  if (images !== count) throw new Error(`expected ${count} images, got ${images}`);
  const cpuPerImage = cpuSeconds(cpu) / images;
  return { rate: images / seconds, cpuPerImage, load: (load + loadavg()[0]) / 2 };
}

export async function run({ quick }) {
  const data = await import(join(root, 'packages', 'data', 'dist', 'index.js'));
  const sharp = createRequire(join(root, 'packages', 'data', 'package.json'))('sharp');
  // Many small images: one libvips thread per image, images decoded in parallel on libuv's pool.
  sharp.concurrency(1);
  const rows = [];
  const cores = cpus().length;
  const directory = mkdtempSync(join(tmpdir(), 'dcgan-data-bench-'));
  try {
    // 1. 256px JPEG -> 64px.
    const jpegFolder = join(directory, 'jpegs');
    mkdirSync(jpegFolder);
    const distinct = quick ? 256 : 512;
    const encoded = [];
    for (let index = 0; index < distinct; index += 1) {
      const bytes = await photoLike(sharp, index, 256, 256);
      encoded.push(bytes);
      writeFileSync(join(jpegFolder, `${String(index).padStart(5, '0')}.jpg`), bytes);
    }
    const source = await data.openImageFolder(jpegFolder);
    const transform = data.resizeThenCenterCrop(64);
    const passes = quick ? 1 : 3;
    // Warm-up pass (page cache, libvips start-up), not timed.
    for await (const batch of data.createBatches(source, { batchSize: 64, transform })) void batch;
    const throughPipeline = async () => {
      let images = 0;
      for (let epoch = 0; epoch < passes; epoch += 1) {
        for await (const batch of data.createBatches(source, { batchSize: 64, epoch, transform }))
          images += batch.shape[0];
      }
      return images;
    };
    const pipeline = await timeDecode(passes * distinct, throughPipeline);
    const fastStats = data.jpegDecodingStats();
    // The same pipeline with the JPEG fast path off: every image through sharp (libvips), as @dcgan/data 0.1 did.
    await data.configureJpegDecoding({ fastPath: false });
    const sharpPipeline = await timeDecode(passes * distinct, throughPipeline);
    await data.configureJpegDecoding({ fastPath: true });
    const direct = await timeDecode(passes * distinct, async () => {
      let next = 0;
      const total = passes * distinct;
      const worker = async () => {
        while (next < total) {
          const bytes = encoded[next % distinct];
          next += 1;
          await sharp(bytes).resize(64, 64, { fit: 'outside' }).raw().toBuffer();
        }
      };
      await Promise.all(Array.from({ length: 8 }, worker));
      return total;
    });
    const note = (result) =>
      `${(result.cpuPerImage * 1e6).toFixed(0)} us CPU/image = ${(2 / result.cpuPerImage).toFixed(0)} img/s on 2 idle cores; ${cores} cores, load avg ${result.load.toFixed(1)}`;
    const declined = Object.values(fastStats.declined).reduce((sum, value) => sum + value, 0);
    rows.push({
      suite,
      name: 'decode+resize+crop 256px JPEG -> 64px (createBatches)',
      value: pipeline.rate,
      unit: 'img/s',
      target: '>= 1000 on 2 cores',
      note: `${note(pipeline)}; JPEG fast path: ${fastStats.decoded} decoded on workers, ${declined} declined to sharp`,
    });
    rows.push({
      suite,
      name: 'same pipeline, JPEG fast path off (sharp for every image)',
      value: sharpPipeline.rate,
      unit: 'img/s',
      note: note(sharpPipeline),
    });
    rows.push({
      suite,
      name: 'same decode, sharp alone (decoder ceiling)',
      value: direct.rate,
      unit: 'img/s',
      note: note(direct),
    });
    await source.close();
    const pil = pilReference(jpegFolder, passes * distinct);
    if (pil !== undefined) {
      rows.push({
        suite,
        name: 'reference: PIL draft-mode decode to 64px, 1 thread',
        value: pil.rate,
        unit: 'img/s',
        note: `${pil.cpuMicroseconds.toFixed(0)} us CPU/image (libjpeg-turbo DCT scaling, no resize kernel); not part of @dcgan/data`,
      });
    }

    // 2. Input wait of a training loop on MNIST.
    const mnist = await data.openMnistPackage();
    const stepMilliseconds = 100;
    let waited = 0;
    let steps = 0;
    const loopStarted = performance.now();
    let waitStarted = performance.now();
    for await (const batch of data.createBatches(mnist, { batchSize: 64, transform: [data.pad(32), data.toRgb()] })) {
      waited += performance.now() - waitStarted;
      const busyUntil = performance.now() + stepMilliseconds;
      while (performance.now() < busyUntil) void batch.images[0];
      steps += 1;
      if (steps === (quick ? 20 : 60)) break;
      waitStarted = performance.now();
    }
    const total = performance.now() - loopStarted;
    rows.push({
      suite,
      name: `input wait, MNIST 64x32x32x3 batches, ${stepMilliseconds} ms simulated step`,
      value: (100 * waited) / total,
      unit: '% of wall time',
      target: '< 5',
      note: `${steps} steps; first batch (pipeline start) included; ${(waited / steps).toFixed(2)} ms wait/step`,
    });

    // 3. Peak RSS streaming a big folder.
    const count = quick ? 10_000 : 100_000;
    const bigFolder = join(directory, 'many');
    const small = [];
    for (let index = 0; index < 32; index += 1) small.push(await photoLike(sharp, 1000 + index, 48, 40));
    const templates = small.map((bytes, index) => {
      const path = join(directory, `template-${index}.jpg`);
      writeFileSync(path, bytes);
      return path;
    });
    for (let index = 0; index < count; index += 1) {
      const subfolder = join(bigFolder, String(Math.floor(index / 10_000)).padStart(2, '0'));
      if (index % 10_000 === 0) mkdirSync(subfolder, { recursive: true });
      copyFileSync(templates[index % templates.length], join(subfolder, `${String(index).padStart(6, '0')}.jpg`));
    }
    global.gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 50);
    const streamStarted = performance.now();
    const folder = await data.openImageFolder(bigFolder);
    let streamed = 0;
    const stream = data.createBatches(folder, {
      batchSize: 64,
      seed: 1,
      transform: [...data.resizeThenCenterCrop(32), data.toRgb()],
    });
    for await (const batch of stream) {
      streamed += batch.shape[0];
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    clearInterval(sampler);
    const streamSeconds = (performance.now() - streamStarted) / 1000;
    rows.push({
      suite,
      name: `peak RSS streaming a folder of ${count.toLocaleString('en')} JPEGs (shuffled, 32px)`,
      value: peak / 2 ** 20,
      unit: 'MiB',
      note: `RSS before ${(baseline / 2 ** 20).toFixed(0)} MiB; ${streamed} images in ${streamSeconds.toFixed(0)} s (${(streamed / streamSeconds).toFixed(0)} img/s), ${stream.report.skippedCount} skipped`,
    });
    await folder.close();
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
  return rows;
}

function pilReference(folder, count) {
  const python = '/usr/bin/python3';
  if (!existsSync(python)) return undefined;
  const script = [
    'import glob, io, sys, time',
    'from PIL import Image',
    `files = [open(f, 'rb').read() for f in sorted(glob.glob(${JSON.stringify(`${folder}/*.jpg`)}))]`,
    `count = ${count}`,
    'started, cpu = time.time(), time.process_time()',
    'for index in range(count):',
    '    image = Image.open(io.BytesIO(files[index % len(files)]))',
    "    image.draft('RGB', (64, 64))",
    '    image.load()',
    'print(count / (time.time() - started), (time.process_time() - cpu) / count * 1e6)',
  ].join('\n');
  const result = spawnSync(python, ['-c', script], { encoding: 'utf8' });
  if (result.status !== 0) return undefined;
  const [rate, cpuMicroseconds] = result.stdout.trim().split(/\s+/).map(Number);
  return { rate, cpuMicroseconds };
}
