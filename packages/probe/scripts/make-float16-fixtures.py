#!/usr/bin/env python3
"""Makes the float16 fixture of @dcgan/probe ONCE with numpy (the independent reference for the
float32 <-> float16 conversion of stored features).

    /usr/bin/python3 packages/probe/scripts/make-float16-fixtures.py

Writes packages/probe/fixtures/float16-fixtures.json: float32 inputs (as uint32 bit patterns, so NaN
payloads and signed zeros survive JSON) and numpy's float16 bits for each (round to nearest, ties to even).
"""
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'fixtures', 'float16-fixtures.json')


def main():
    rng = np.random.default_rng(16)
    special = np.array([
        0.0, -0.0, 1.0, -1.0, 65504.0, 65519.0, 65520.0, 1e6, -1e6, np.inf, -np.inf,
        2.0 ** -14, 2.0 ** -24, 2.0 ** -25, 2.0 ** -25 * 1.0000001, 2.0 ** -26, 1e-10, 3 * 2.0 ** -25,
        1.0 + 2.0 ** -11, 1.0 + 3 * 2.0 ** -11, 1.0 + 2.0 ** -11 + 2.0 ** -20, 0.1, 1 / 3, 2048.5, 4097.0,
    ], dtype=np.float32)
    normal = rng.normal(0.0, 3.0, size=400).astype(np.float32)
    wide = (rng.uniform(-1, 1, size=300) * 10.0 ** rng.uniform(-9, 6, size=300)).astype(np.float32)
    values = np.concatenate([special, normal, wide]).astype(np.float32)
    halves = values.astype(np.float16)
    nan_bits = int(np.array([np.nan], dtype=np.float32).view(np.uint32)[0])
    with open(OUT, 'w') as handle:
        json.dump({
            'generator': f'numpy {np.__version__}',
            'float32Bits': [int(v) for v in values.view(np.uint32)],
            'float16Bits': [int(v) for v in halves.view(np.uint16)],
            'nanFloat32Bits': nan_bits,
            'nanFloat16Bits': int(np.array([np.nan], dtype=np.float32).astype(np.float16).view(np.uint16)[0]),
        }, handle)
        handle.write('\n')
    print(f'wrote {OUT}')


if __name__ == '__main__':
    main()
