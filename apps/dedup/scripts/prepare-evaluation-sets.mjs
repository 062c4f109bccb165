// Rasterises the registry-shipped image sets of the multi-kind dedup evaluation to 32x32 RGB (white background,
// aspect kept) and caches them as <cache>/<set>.rgb (N * 3072 bytes) + <cache>/<set>.json (keys).
//
//   apt-get download papirus-icon-theme=20230104-2 breeze-icon-theme openclipart-png   # Debian bookworm
//   for f in *.deb; do dpkg -x "$f" root; done
//   node apps/dedup/scripts/prepare-evaluation-sets.mjs root cache
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

import sharp from 'sharp';

const [root, cache] = process.argv.slice(2);
if (root === undefined || cache === undefined)
  throw new Error('usage: prepare-evaluation-sets.mjs <extracted-debs-root> <cache-dir>');
await mkdir(cache, { recursive: true });
sharp.concurrency(1);

async function filesUnder(folder, extension) {
  const found = [];
  const walk = async (path) => {
    for (const entry of await readdir(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile() && entry.name.endsWith(extension)) found.push(full); // symlinks (icon aliases) are left out
    }
  };
  await walk(folder);
  return found.sort();
}

async function rasterise(name, files) {
  const images = [];
  const keys = [];
  let failed = 0;
  const worker = async (queue) => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      try {
        const pixels = await sharp(next, { density: 144 })
          .resize(32, 32, { fit: 'contain', background: { r: 255, g: 255, b: 255, alpha: 1 } })
          .flatten({ background: { r: 255, g: 255, b: 255 } })
          .removeAlpha()
          .toColourspace('srgb')
          .raw()
          .toBuffer();
        if (pixels.length !== 3072) throw new Error(`got ${pixels.length} bytes`);
        images.push([next, pixels]);
      } catch {
        failed += 1;
      }
    }
  };
  const queue = [...files];
  await Promise.all([worker(queue), worker(queue)]);
  images.sort((left, right) => (left[0] < right[0] ? -1 : 1));
  const data = Buffer.concat(images.map(([, pixels]) => pixels));
  for (const [file] of images) keys.push(relative(root, file));
  await writeFile(join(cache, `${name}.rgb`), data);
  await writeFile(join(cache, `${name}.json`), JSON.stringify({ name, count: images.length, failed, keys }));
  process.stderr.write(`${name}: ${images.length} images (${failed} failed to rasterise)\n`);
}

const papirus = join(root, 'usr/share/icons/Papirus');
await rasterise('papirus-64', await filesUnder(join(papirus, '64x64'), '.svg'));
await rasterise('clipart', await filesUnder(join(root, 'usr/share/openclipart/png'), '.png'));
const small = [];
for (const size of ['16x16', '22x22', '24x24', '32x32']) small.push(...(await filesUnder(join(papirus, size), '.svg')));
small.push(...(await filesUnder(join(root, 'usr/share/icons/breeze'), '.svg')));
await rasterise('icons-train', small);
