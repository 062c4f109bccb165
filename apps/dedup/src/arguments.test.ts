import { describe, expect, it } from 'vitest';

import { parseDedupArguments } from './arguments.js';

describe('parseDedupArguments', () => {
  it('reads a full hash command', () => {
    const parsed = parseDedupArguments([
      'hash',
      '--data',
      'photos',
      '--hasher',
      'h.bin',
      '--out',
      'runs/x',
      '--radius',
      '2',
      '--shift-probes',
      '1',
      '--thumbnail-hash-radius',
      'off',
      '--restart',
    ]);
    expect(parsed).toMatchObject({
      command: 'hash',
      data: 'photos',
      hasher: 'h.bin',
      out: 'runs/x',
      radius: 2,
      shiftProbes: 1,
      thumbnailHashRadius: -1,
      restart: true,
      imageSize: 32,
      channels: 3,
      codeBits: 128,
    });
  });

  it('defaults the matching settings to the library run defaults', () => {
    expect(parseDedupArguments(['run', '--out', 'x'])).toMatchObject({
      radius: 3,
      shiftProbes: 2,
      probeRadius: 0,
      thumbnailHashRadius: 3,
    });
  });

  it('reads --shard, and hashes the whole dataset without it', () => {
    expect(parseDedupArguments(['hash', '--hasher', 'h.bin', '--out', 'x', '--shard', '2/4']).shard).toEqual({
      index: 2,
      count: 4,
    });
    expect(parseDedupArguments(['merge', '--hasher', 'h.bin', '--out', 'x']).shard).toEqual({ index: 0, count: 1 });
  });

  it('shows help without a command', () => {
    expect(parseDedupArguments([]).command).toBe('help');
    expect(parseDedupArguments(['train', '--help']).command).toBe('help');
  });

  it.each([
    [['frob'], 'Unknown command `frob`; expected one of train, hash, merge, run, evaluate, help'],
    [['train'], '`train` needs `--hasher <file>` to write the hasher to'],
    [['hash', '--hasher', 'h.bin'], '`hash` needs `--hasher <file>` and `--out <dir>`'],
    [['evaluate'], '`evaluate` needs `--out <dir>`'],
    [['merge', '--out', 'x'], '`merge` needs `--hasher <file>` and `--out <dir>`'],
    [
      ['hash', '--hasher', 'h.bin', '--out', 'x', '--shard', '4/4'],
      'Expected the shard index to be an integer in 0..3, got `4` (--shard 4/4)',
    ],
    [['run', '--out', 'x', '--channels', '2'], 'Expected `--channels` to be one of 1, 3, got `2`'],
    [['run', '--out', 'x', '--noise=-1'], 'Expected `--noise` to be a number in [0, 10], got `-1`'],
    [
      ['run', '--out', 'x', '--backend', 'gpu'],
      'Expected `--backend` to be one of auto | tensorflow-gpu | webgpu | tensorflow | wasm | cpu, got `gpu`',
    ],
    [
      ['run', '--out', 'x', '--format', 'tar'],
      'Expected `--format` to be one of mnist-package, folder, lmdb, cifar10, svhn, idx, got `tar`',
    ],
    [['run', '--out', 'x', '--bogus'], "Unknown option '--bogus'"],
    [
      ['run', '--out', 'x', '--thumbnail-hash-radius', '8'],
      'Expected `--thumbnail-hash-radius` to be an integer in [0, 7] or `off`, got `8`',
    ],
  ])('refuses %j with one clear line', (argv, message) => {
    expect(() => parseDedupArguments(argv)).toThrow(message);
  });
});
