import { join } from 'node:path';

import { UsageError } from '@dcgan/cli';
import { describe, expect, it } from 'vitest';

import { parseCliArguments } from './arguments.js';

describe('parseCliArguments', () => {
  it('reads the photos folder and options', () => {
    const parsed = parseCliArguments([
      'photos',
      '--out',
      'faces',
      '--min-size',
      '96',
      '--min-score',
      '0.8',
      '--detector',
      'tiny',
      '--fresh',
      '--backend',
      'cpu',
    ]);
    expect(parsed.backend).toBe('cpu');
    expect(parsed.options).toMatchObject({
      photos: 'photos',
      outputDirectory: 'faces',
      minimumSize: 96,
      minimumScore: 0.8,
      model: 'tiny-face-detector',
      existing: 'overwrite',
    });
    expect(parseCliArguments(['photos', '--out', 'faces']).options).toMatchObject({
      existing: 'resume',
      minimumSize: undefined,
      model: undefined,
    });
  });

  it('reads --shard into the shard folder, and the merge command', () => {
    expect(parseCliArguments(['photos', '--out', 'faces', '--shard', '1/4']).options).toMatchObject({
      outputDirectory: join('faces', 'shards', 'shard-00001-of-00004'),
      shard: { index: 1, count: 4 },
    });
    expect(parseCliArguments(['merge', '--out', 'faces']).merge).toBe('faces');
    expect(() => parseCliArguments(['merge'])).toThrow('Expected `--out <dir>`: the folder whose shards to merge');
    expect(() => parseCliArguments(['photos', '--out', 'faces', '--shard', '4/4'])).toThrow(
      'Expected the shard index to be an integer in 0..3, got `4` (--shard 4/4)',
    );
  });

  it('explains what is wrong', () => {
    expect(() => parseCliArguments(['photos'])).toThrow('Expected `--out <dir>`');
    expect(() => parseCliArguments(['--out', 'faces'])).toThrow('Expected one photos folder, got none');
    expect(() => parseCliArguments(['photos', '--out', 'x', '--min-size', 'big'])).toThrow(
      'Expected `--min-size` to be a number, got `big`',
    );
    expect(() => parseCliArguments(['photos', '--out', 'x', '--detector', 'yolo'])).toThrow(
      'Expected `--detector` to be ssd or tiny',
    );
    expect(() => parseCliArguments(['photos', '--out', 'x', '--backend', 'webgl'])).toThrow(UsageError);
    expect(() => parseCliArguments(['photos', '--out', 'x', '--colour'])).toThrow(UsageError);
    expect(() => parseCliArguments(['photos', '--out', 'x', '--max-megapixels', '0'])).toThrow(
      'Expected `--max-megapixels` to be a number in (0, 268], got `0`',
    );
    expect(() => parseCliArguments(['photos', '--out', 'x', '--max-megapixels', '1e9'])).toThrow(
      'Expected `--max-megapixels` to be a number in (0, 268]',
    );
    expect(parseCliArguments(['photos', '--out', 'x', '--max-megapixels', '12.5']).options).toMatchObject({
      maxPhotoPixels: 12_500_000,
    });
    expect(parseCliArguments(['--help']).help).toBe(true);
  });
});
