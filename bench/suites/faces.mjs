// @dcgan/faces throughput (issue 9): how fast photos become face crops on this machine.
//
// Rows (wasm backend, the one `dcgan-faces` picks here; the pure-JS cpu backend took about 46 s per photo):
// - detection alone, SSD-MobileNet v1 and the tiny face detector, on the real 1920 px group photos shipped in
//   @vladmandic/face-api (shrunk to 1,024 px, as buildFaceDataset does): photos/s and ms per photo;
// - buildFaceDataset end to end on the same photos (decode, detection, crops, tiles, journal, boxes files,
//   contact sheet): photos/s.
// Needs the built packages (`pnpm bench` builds first).
import { mkdtempSync, readFileSync, rmSync, cpSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const suite = 'faces';

export async function run({ quick }) {
  const faces = await import(pathToFileURL(join(root, 'packages/faces/dist/index.js')).href);
  const { initBackend } = await import(pathToFileURL(join(root, 'packages/backend/dist/index.js')).href);
  const require = createRequire(join(root, 'packages/faces/package.json'));
  const sharp = require('sharp');
  const demo = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');
  const photoCount = quick ? 2 : 6;
  const files = Array.from({ length: photoCount }, (_, index) => join(demo, `sample${index + 1}.jpg`));

  const selection = await initBackend({ prefer: 'auto' });
  const images = [];
  for (const file of files) {
    const photo = await faces.decodePhoto(readFileSync(file), file);
    const { data, info } = await sharp(photo.data, { raw: { width: photo.width, height: photo.height, channels: 3 } })
      .resize({ width: 1024, height: 1024, fit: 'inside' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    images.push({ width: info.width, height: info.height, channels: 3, data: new Uint8Array(data) });
  }

  const rows = [];
  for (const model of faces.faceDetectorModels) {
    const detector = await faces.createFaceDetector({ model });
    await detector.detect(images[0]); // warm-up: first-call kernel setup
    let found = 0;
    const started = performance.now();
    for (const image of images) found += (await detector.detect(image)).length;
    const seconds = (performance.now() - started) / 1000;
    detector.dispose();
    rows.push({
      suite,
      name: `detect ${model}, 1024 px photos (${selection.name})`,
      value: images.length / seconds,
      unit: 'photos/s',
      note: `${((seconds * 1000) / images.length).toFixed(0)} ms/photo; ${found} faces in ${images.length} photos (a person counts ${[3, 3, 3, 4, 5, 4].slice(0, images.length).reduce((a, b) => a + b, 0)})`,
    });
  }

  const work = mkdtempSync(join(tmpdir(), 'faces-bench-'));
  try {
    mkdirSync(join(work, 'photos'));
    for (const file of files) cpSync(file, join(work, 'photos', file.split('/').at(-1)));
    const detector = await faces.createFaceDetector({ minimumScore: 0.3 });
    await detector.detect(images[0]);
    const started = performance.now();
    const summary = await faces.buildFaceDataset({
      photos: join(work, 'photos'),
      outputDirectory: join(work, 'out'),
      detector,
    });
    const seconds = (performance.now() - started) / 1000;
    detector.dispose();
    rows.push({
      suite,
      name: `buildFaceDataset end to end, 1920 px photos (${selection.name})`,
      value: summary.photosRead / seconds,
      unit: 'photos/s',
      note: `${summary.facesKept} crops from ${summary.photosRead} photos in ${seconds.toFixed(1)} s`,
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return rows;
}
