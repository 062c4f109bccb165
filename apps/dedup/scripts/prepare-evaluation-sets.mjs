// Rasterises the registry-shipped image sets of the multi-kind dedup evaluation to 32x32 RGB (white background,
// aspect kept) and caches them as <cache>/<set>.rgb (N * 3072 bytes) + <cache>/<set>.json (keys).
//
//   apt-get download papirus-icon-theme=20230104-2 breeze-icon-theme openclipart-png   # Debian bookworm
//   apt-get download mate-backgrounds=1.26.0-1 plasma-workspace-wallpapers=4:5.27.5-2   # the photo tiles
//   for f in *.deb; do dpkg -x "$f" root; done
//   node apps/dedup/scripts/prepare-evaluation-sets.mjs root cache
import { access, mkdir, readdir, writeFile } from 'node:fs/promises';
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
// The icon and clip-art sets (when their packages are unpacked under the root).
if (
  await access(papirus).then(
    () => true,
    () => false,
  )
) {
  await rasterise('papirus-64', await filesUnder(join(papirus, '64x64'), '.svg'));
  await rasterise('clipart', await filesUnder(join(root, 'usr/share/openclipart/png'), '.png'));
  const small = [];
  for (const size of ['16x16', '22x22', '24x24', '32x32'])
    small.push(...(await filesUnder(join(papirus, size), '.svg')));
  small.push(...(await filesUnder(join(root, 'usr/share/icons/breeze'), '.svg')));
  await rasterise('icons-train', small);
}

// Photo tiles (a photo-like tuning kind): 32x32 tiles of the 22 photographs among Debian's MATE and Plasma wallpapers
// (Autumn, a painting, and MATE's abstract and desktop artwork left out), each photo scaled to widths 160-1822 px in
// steps of 1.5x and cut into tiles; near-flat tiles (sky, blur, smooth gradients: gray levels within 10 of the
// best-fitting plane, as a standard deviation) are left out, since any two of them correlate like copies. Every fifth photo (sorted by name) gives the scored tiles, which do not overlap; the others give the
// hasher's training tiles, which overlap by half (every 16 px, for enough of them), so no scored tile shares a photo
// with a training tile.
const wallpapers = join(root, 'usr/share/wallpapers');
const mateNature = join(root, 'usr/share/backgrounds/mate/nature');
if (
  await access(wallpapers).then(
    () => true,
    () => false,
  )
) {
  const plasmaPhotos = ['BytheWater', 'ColdRipple', 'ColorfulCups', 'DarkestHour', 'EveningGlow', 'FallenLeaf', 'Grey'];
  plasmaPhotos.push('Kite', 'OneStandsOut', 'Path', 'summer_1am');
  const photos = [
    ...plasmaPhotos.map((name) => join(wallpapers, name, 'contents/images/2560x1600.jpg')),
    ...(await filesUnder(mateNature, '.jpg')),
  ].sort();
  const scored = [];
  const training = [];
  for (const [index, photo] of photos.entries()) {
    const tiles = await photoTiles(photo, index % 5 === 0 ? 32 : 16);
    (index % 5 === 0 ? scored : training).push(...tiles);
    process.stderr.write(`  ${relative(root, photo)}: ${tiles.length} tiles\n`);
  }
  for (const [name, tiles] of [
    ['photo-tiles', scored],
    ['photo-tiles-train', training],
  ]) {
    await writeFile(join(cache, `${name}.rgb`), Buffer.concat(tiles.map(([, pixels]) => pixels)));
    const keys = tiles.map(([key]) => key);
    await writeFile(join(cache, `${name}.json`), JSON.stringify({ name, count: keys.length, failed: 0, keys }));
    process.stderr.write(`${name}: ${keys.length} tiles\n`);
  }
}

async function photoTiles(photo, step) {
  const tiles = [];
  const { width: fullWidth, height: fullHeight } = await sharp(photo).metadata();
  for (let width = 160; width <= Math.min(1822, fullWidth); width = Math.round(width * 1.5)) {
    const height = Math.round((fullHeight * width) / fullWidth);
    const pixels = await sharp(photo)
      .resize(width, height, { fit: 'fill' })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer();
    for (let top = 0; top + 32 <= height; top += step) {
      for (let left = 0; left + 32 <= width; left += step) {
        const tile = Buffer.alloc(3072);
        for (let y = 0; y < 32; y += 1)
          pixels.copy(tile, y * 96, ((top + y) * width + left) * 3, ((top + y) * width + left + 32) * 3);
        if (planeResidual(tile) >= 10) tiles.push([`${relative(root, photo)}@${width}/${left},${top}`, tile]);
      }
    }
  }
  return tiles;
}

/** Standard deviation of a 32x32 RGB tile's gray levels around their least-squares plane a + b x + c y. */
function planeResidual(tile) {
  const gray = new Float64Array(1024);
  let mean = 0;
  let slopeX = 0;
  let slopeY = 0;
  let moment = 0;
  for (let y = 0; y < 32; y += 1) {
    for (let x = 0; x < 32; x += 1) {
      const at = (y * 32 + x) * 3;
      const value = 0.299 * tile[at] + 0.587 * tile[at + 1] + 0.114 * tile[at + 2];
      gray[y * 32 + x] = value;
      mean += value;
      slopeX += value * (x - 15.5);
      slopeY += value * (y - 15.5);
      moment += (x - 15.5) ** 2;
    }
  }
  mean /= 1024;
  slopeX /= moment;
  slopeY /= moment;
  let squares = 0;
  for (let y = 0; y < 32; y += 1)
    for (let x = 0; x < 32; x += 1)
      squares += (gray[y * 32 + x] - mean - slopeX * (x - 15.5) - slopeY * (y - 15.5)) ** 2;
  return Math.sqrt(squares / 1024);
}
