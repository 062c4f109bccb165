import { availableParallelism } from 'node:os';

import { describe, expect, it } from 'vitest';

import { parsePaperArguments, stepsFor } from './paper-preset';
import { currentThreadPoolSize, trainingThreadPoolSize } from './thread-pool-size';
import { UsageError } from './usage-error';

describe('paper preset helpers', () => {
  it('counts steps over full batches', () => {
    expect(stepsFor(3_033_042, 128, 5)).toBe(5 * 23_695);
    expect(stepsFor(1000, 128, 5)).toBe(35);
    expect(stepsFor(50, 100, 3)).toBe(0);
  });

  it("splits the app's options from the run settings after `--`, refusing unknown ones", () => {
    const { values, overrides } = parsePaperArguments(
      ['--data', 'x', '--epochs', '2', '--', '--size', '16', '--strict'],
      { data: { type: 'string' } },
    );
    expect(values).toEqual({ data: 'x', epochs: '2' });
    expect(overrides).toEqual({ size: '16', strict: true });
    expect(() => parsePaperArguments(['--size', '16'], {})).toThrow("Unknown option '--size'");
    expect(() => parsePaperArguments(['--', '--epochz', '1'], {})).toThrow("Unknown option '--epochz'");
  });

  it('recognises its UsageError across module copies, and nothing else', () => {
    expect(UsageError.isInstance(new UsageError('x'))).toBe(true);
    expect(UsageError.isInstance(new Error('x'))).toBe(false);
    expect(UsageError.isInstance(Object.assign(new Error('x'), { name: 'UsageError' }))).toBe(false);
  });

  it('asks for one libuv thread per core (at least 4) for sharp, unless UV_THREADPOOL_SIZE is set', () => {
    const saved = process.env.UV_THREADPOOL_SIZE;
    try {
      delete process.env.UV_THREADPOOL_SIZE;
      expect(trainingThreadPoolSize()).toBe(String(Math.max(4, availableParallelism())));
      process.env.UV_THREADPOOL_SIZE = '13';
      expect(trainingThreadPoolSize()).toBe('13');
      expect(currentThreadPoolSize()).toBe(13);
      delete process.env.UV_THREADPOOL_SIZE;
      expect(currentThreadPoolSize()).toBe(4);
    } finally {
      if (saved === undefined) delete process.env.UV_THREADPOOL_SIZE;
      else process.env.UV_THREADPOOL_SIZE = saved;
    }
  });
});
