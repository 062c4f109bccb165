import { PassThrough } from 'node:stream';

import { describe, expect, it } from 'vitest';

import { formatDuration, ProgressBar } from './progress-bar';

/** A stream that records what is written, as a TTY or not. */
function recorder(isTTY: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  const stream = new PassThrough() as unknown as NodeJS.WriteStream & PassThrough;
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  Object.assign(stream, { isTTY, columns: 200 });
  return { stream, text: () => text };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('ProgressBar', () => {
  it('writes plain lines (first, then only the last) where the stream is not a TTY', async () => {
    const { stream, text } = recorder(false);
    const bar = new ProgressBar({ total: 4, label: 'hash', stream });
    bar.update(1, '10 img/s');
    bar.update(2, '10 img/s');
    bar.log('skipped a.png: not an image');
    bar.update(4, 'done');
    bar.finish();
    await tick();
    const lines = text().trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^hash ██████░{18} 1\/4 10 img\/s \| 00:00 elapsed, ETA --:--$/);
    expect(lines[1]).toBe('skipped a.png: not an image');
    expect(lines[2]).toMatch(/^hash █{24} 4\/4 done \| 00:00 elapsed, ETA 00:00$/);
    expect(text()).not.toContain('\r');
  });

  it('redraws one line on a TTY, and writes plain lines when TERM=dumb', async () => {
    const saved = process.env.TERM;
    try {
      process.env.TERM = 'xterm-256color';
      const tty = recorder(true);
      const bar = new ProgressBar({ total: undefined, stream: tty.stream });
      bar.update(7, 'items');
      bar.log('hello');
      bar.finish();
      await tick();
      expect(tty.text()).toBe('\r7 items | 00:00 elapsed\x1b[K\r\x1b[Khello\n');

      process.env.TERM = 'dumb';
      const dumb = recorder(true);
      const plain = new ProgressBar({ total: 2, stream: dumb.stream });
      plain.update(2, 'done');
      plain.finish();
      await tick();
      expect(dumb.text()).toMatch(/^█{24} 2\/2 done \| 00:00 elapsed, ETA --:--\n$/);
    } finally {
      if (saved === undefined) delete process.env.TERM;
      else process.env.TERM = saved;
    }
  });

  it('formats durations', () => {
    expect(formatDuration(83)).toBe('01:23');
    expect(formatDuration(3723)).toBe('1:02:03');
    expect(formatDuration(Number.NaN)).toBe('--:--');
  });
});
