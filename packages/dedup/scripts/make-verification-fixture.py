#!/usr/bin/env python3
"""Writes test/fixtures/verification.json: 16x16 RGB thumbnails and the verification distance at zero shift,
computed with numpy as thumbnails.ts defines it: each thumbnail's background colour is the per-channel median of its
border pixels when at least half of the border lies within the tolerance of it (else it has none); the pixels where
either thumbnail is not background (any channel more than the tolerance away) are kept, and the distance is
1 - numpy.corrcoef over their values (all channels as one vector). With fewer than 8 such pixels, or no background
in either thumbnail, every pixel counts.
Run with Debian's python3-numpy: /usr/bin/python3 scripts/make-verification-fixture.py
"""
import json
import os

import numpy

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'test', 'fixtures', 'verification.json')
SIZE = 16
TOLERANCE = 12


def background(thumbnail):
    border = numpy.concatenate([thumbnail[0, :], thumbnail[-1, :], thumbnail[1:-1, 0], thumbnail[1:-1, -1]]).astype(float)
    colour = numpy.median(border, axis=0)
    near = numpy.all(numpy.abs(border - colour) <= TOLERANCE, axis=1).sum()
    return colour if 2 * near >= len(border) else None


def distance(first, second):
    a, b = first.astype(float), second.astype(float)
    background_a, background_b = background(first), background(second)
    keep = numpy.ones((SIZE, SIZE), dtype=bool)
    if background_a is not None or background_b is not None:
        foreground_a = numpy.ones((SIZE, SIZE), dtype=bool) if background_a is None else numpy.any(numpy.abs(a - background_a) > TOLERANCE, axis=2)
        foreground_b = numpy.ones((SIZE, SIZE), dtype=bool) if background_b is None else numpy.any(numpy.abs(b - background_b) > TOLERANCE, axis=2)
        union = foreground_a | foreground_b
        if union.sum() >= 8:
            keep = union
    return 1 - numpy.corrcoef(a[keep].ravel(), b[keep].ravel())[0, 1], int(keep.sum())


def whole(first, second):
    return 1 - numpy.corrcoef(first.astype(float).ravel(), second.astype(float).ravel())[0, 1]


random = numpy.random.default_rng(19)
yy, xx = numpy.mgrid[0:SIZE, 0:SIZE]


def icon(glyph_seed):
    """A blue disc on white with a white glyph of random strokes (as many icon themes draw app icons)."""
    image = numpy.full((SIZE, SIZE, 3), 255, dtype=numpy.uint8)
    disc = (yy - 7.5) ** 2 + (xx - 7.5) ** 2 <= 6.2 ** 2
    image[disc] = (40, 110, 200)
    glyph_random = numpy.random.default_rng(glyph_seed)
    for _ in range(2):
        y, x = glyph_random.integers(5, 11, size=2)
        if glyph_random.random() < 0.5:
            image[y, x - 2:x + 2] = 250
        else:
            image[y - 2:y + 2, x] = 250
    return image


def jpeg_like(image):
    return numpy.clip(image.astype(float) + random.normal(0, 2.5, image.shape), 0, 255).round().astype(numpy.uint8)


photo = numpy.clip(random.normal(120, 40, (SIZE, SIZE, 3)) + 4 * xx[..., None], 0, 255).astype(numpy.uint8)
speck = numpy.full((SIZE, SIZE, 3), 255, dtype=numpy.uint8)
speck[7:9, 7:9] = 0
speck_other = numpy.full((SIZE, SIZE, 3), 250, dtype=numpy.uint8)
speck_other[3:5, 10:12] = 30

thumbnails = [icon(1), icon(2), jpeg_like(icon(1)), photo, jpeg_like(photo), speck, speck_other, jpeg_like(speck)]
pairs = [[0, 1], [0, 2], [1, 2], [3, 4], [0, 3], [5, 6], [5, 7]]
cases = []
for first, second in pairs:
    value, pixels = distance(thumbnails[first], thumbnails[second])
    cases.append({'first': first, 'second': second, 'distance': value, 'pixels': pixels, 'wholeDistance': whole(thumbnails[first], thumbnails[second])})
with open(OUT, 'w') as handle:
    json.dump({'size': SIZE, 'channels': 3, 'tolerance': TOLERANCE, 'thumbnails': [thumbnail.ravel().tolist() for thumbnail in thumbnails], 'cases': cases}, handle)
    handle.write('\n')
for case in cases:
    print(case)
