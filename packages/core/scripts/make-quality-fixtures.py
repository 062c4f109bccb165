#!/usr/bin/python3
"""Writes test/fixtures/quality/*.json: small feature matrices and the FID/KID that numpy and scipy give for them.

The expected values are computed the way the reference tools do, independently of our TypeScript:
  FID  pytorch-fid's calculate_frechet_distance: np.mean, np.cov(rowvar=False), scipy.linalg.sqrtm(s1 @ s2)
       (with its 1e-6 * I offset when the product is singular), real part of the trace.
  KID  torch-fidelity's kid: unbiased MMD^2 with the kernel (x.y / d + 1)^3, averaged over subsets, np.std
       (ddof 0). torch-fidelity draws subsets with np.random.choice; to compare numbers, the uniforms that
       pick the subsets are stored here and both sides map them to rows by the same documented partial
       Fisher-Yates rule (pick i swaps position i with i + floor(u * (rows - i))).
  eig  numpy.linalg.eigvalsh of a random symmetric matrix (checks our tred2/tql2 solver alone).

Needs Debian's python3-numpy and python3-scipy:
  apt-get install -y python3-numpy python3-scipy
  /usr/bin/python3 packages/core/scripts/make-quality-fixtures.py
"""
import json
from pathlib import Path

import numpy as np
import scipy
import scipy.linalg

OUT = Path(__file__).resolve().parent.parent / 'test' / 'fixtures' / 'quality'


def fid(a, b):
    mu1, mu2 = a.mean(axis=0), b.mean(axis=0)
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    covmean, _ = scipy.linalg.sqrtm(s1.dot(s2), disp=False)
    if not np.isfinite(covmean).all():
        offset = np.eye(s1.shape[0]) * 1e-6
        covmean = scipy.linalg.sqrtm((s1 + offset).dot(s2 + offset))
    covmean = np.real(covmean)
    diff = mu1 - mu2
    return float(diff.dot(diff) + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))


def subset(rows, size, uniforms):
    order = list(range(rows))
    for i in range(size):
        pick = i + min(rows - i - 1, int(np.floor(next(uniforms) * (rows - i))))
        order[i], order[pick] = order[pick], order[i]
    return order[:size]


def mmd2(x, y):
    d = x.shape[1]
    k_xx = (x @ x.T / d + 1) ** 3
    k_yy = (y @ y.T / d + 1) ** 3
    k_xy = (x @ y.T / d + 1) ** 3
    m = x.shape[0]
    kt_xx = k_xx.sum() - np.trace(k_xx)
    kt_yy = k_yy.sum() - np.trace(k_yy)
    return (kt_xx + kt_yy) / (m * (m - 1)) - 2 * k_xy.sum() / (m * m)


def kid(a, b, subsets, size, uniforms):
    stream = iter(uniforms)
    estimates = [mmd2(a[subset(len(a), size, stream)], b[subset(len(b), size, stream)]) for _ in range(subsets)]
    return float(np.mean(estimates)), float(np.std(estimates))


def write_case(name, a, b, subsets, size, rng):
    uniforms = rng.random(subsets * 2 * size)
    kid_mean, kid_std = kid(a, b, subsets, size, uniforms)
    case = {
        'description': name,
        'first': {'rows': a.shape[0], 'columns': a.shape[1], 'values': a.ravel().tolist()},
        'second': {'rows': b.shape[0], 'columns': b.shape[1], 'values': b.ravel().tolist()},
        'fid': fid(a, b),
        'kid': {'subsets': subsets, 'subsetSize': size, 'uniforms': uniforms.tolist(), 'kid': kid_mean, 'kidStd': kid_std},
        'madeWith': f'numpy {np.__version__}, scipy {scipy.__version__}',
    }
    (OUT / f'{name}.json').write_text(json.dumps(case) + '\n')
    print(name, 'fid', case['fid'], 'kid', kid_mean, '+-', kid_std)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20151119)
    d = 16
    mix_a = rng.normal(size=(d, d))
    mix_b = rng.normal(size=(d, d)) * 0.7 + np.eye(d)
    # ReLU-like, non-negative features as a classifier's penultimate layer gives.
    a = np.maximum(rng.normal(size=(200, d)) @ mix_a, 0)
    b = np.maximum(rng.normal(size=(150, d)) @ mix_b + 0.3, 0)
    write_case('separated', a, b, subsets=10, size=100, rng=rng)
    # Two draws of one distribution: the small FID/KID that real-vs-real gives.
    c = np.maximum(rng.normal(size=(180, d)) @ mix_a, 0)
    write_case('same-distribution', a, c, subsets=10, size=120, rng=rng)
    # Fewer images than features: singular covariances.
    write_case('singular', rng.normal(size=(12, d)), rng.normal(size=(10, d)) + 0.5, subsets=5, size=8, rng=rng)
    n = 40
    s = rng.normal(size=(n, n))
    s = s + s.T
    s[5] = 0
    s[:, 5] = 0
    (OUT / 'eigen.json').write_text(json.dumps({'n': n, 'matrix': s.ravel().tolist(), 'values': np.linalg.eigvalsh(s).tolist()}) + '\n')


if __name__ == '__main__':
    main()
