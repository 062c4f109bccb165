import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { runNode, type NodeChildResult } from '@dcgan/vitest-config/node-child';
import { afterAll, describe, expect, it } from 'vitest';

import { createJpegDecoder } from '../decoder/jpeg-decoder';
import { createFastDecode } from '../fast-decode';
import { createResampler } from '../resample';
import { fixture, jpegFixture } from '../testing/jpeg-fixtures';
import { JpegWorkerPool } from './jpeg-worker-pool';
import { configureJpegDecoding, jpegDecodingStats, jpegWorkerPool } from './shared-pool';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist');

afterAll(async () => {
  await configureJpegDecoding({ fastPath: true });
});

describe('JpegWorkerPool', () => {
  it('returns, for 300 concurrent images, exactly what the same code gives on the main thread', async () => {
    const pool = new JpegWorkerPool(2);
    const local = createFastDecode(createJpegDecoder(), createResampler());
    const names = [
      'baseline-420',
      'baseline-422',
      'odd-size-420',
      'gray',
      'restart-blocks',
      'progressive-restart',
      'arithmetic',
    ];
    const requests = Array.from({ length: 300 }, (_, index) => ({
      bytes: jpegFixture(`${names[index % names.length]!}.jpg`),
      request: {
        fit: index % 3 === 0 ? ('fill' as const) : ('outside' as const),
        width: 8 + (index % 40),
        height: 8 + (index % 40),
      },
    }));
    const results = await Promise.all(requests.map(({ bytes, request }) => pool.decode(bytes, request)));
    results.forEach((result, index) => {
      const expected = local(requests[index]!.bytes, requests[index]!.request);
      expect(result.ok).toBe(expected.ok);
      if (result.ok && expected.ok) {
        expect([result.width, result.height, result.channels, result.scale]).toEqual([
          expected.width,
          expected.height,
          expected.channels,
          expected.scale,
        ]);
        expect(Buffer.from(result.data).equals(Buffer.from(expected.data))).toBe(true);
      }
    });
    const declined = results.filter((result) => !result.ok).length;
    expect(declined).toBe(requests.filter((_, index) => index % names.length === 6).length);
    expect(pool.stats).toEqual({ decoded: 300 - declined, declined: { 'unsupported frame type 0xc9': declined } });
    await pool.close();
    expect(await pool.decode(jpegFixture('gray.jpg'), { fit: 'fill', width: 8, height: 8 })).toEqual({
      ok: false,
      reason: 'worker pool closed',
    });
  });

  it('leaves the caller’s bytes intact (it transfers a copy)', async () => {
    const pool = new JpegWorkerPool(1);
    const bytes = jpegFixture('baseline-420.jpg');
    const before = Buffer.from(bytes);
    expect((await pool.decode(bytes, { fit: 'outside', width: 16, height: 16 })).ok).toBe(true);
    expect(bytes.byteLength).toBe(before.length);
    expect(Buffer.from(bytes).equals(before)).toBe(true);
    await pool.close();
  });

  it('a worker that dies fails its pending images (declines) and is replaced', async () => {
    const pool = new JpegWorkerPool(1);
    const bytes = jpegFixture('baseline-420.jpg');
    const request = { fit: 'outside' as const, width: 32, height: 32 };
    expect((await pool.decode(bytes, request)).ok).toBe(true);
    const pending = Array.from({ length: 20 }, () => pool.decode(bytes, request));
    // Kill the only worker while it has work (reaching into the pool: there is no public way to crash a worker).
    await (
      pool as unknown as { workers: { worker: { terminate(): Promise<number> } }[] }
    ).workers[0]!.worker.terminate();
    const settled = await Promise.all(pending);
    expect(settled.filter((result) => !result.ok).length).toBeGreaterThan(0);
    for (const result of settled) if (!result.ok) expect(result.reason).toBe('decode worker exited');
    // The next image gets a fresh worker.
    expect((await pool.decode(bytes, request)).ok).toBe(true);
    await pool.close();
  });

  it('closing the pool settles every image in flight', async () => {
    const pool = new JpegWorkerPool(2);
    const pending = Array.from({ length: 40 }, () =>
      pool.decode(jpegFixture('progressive-large.jpg'), { fit: 'fill', width: 16, height: 16 }),
    );
    await pool.close();
    const settled = await Promise.all(pending);
    expect(settled).toHaveLength(40);
    for (const result of settled) if (!result.ok) expect(result.reason).toBe('worker pool closed');
  });
});

describe('the shared pool (configureJpegDecoding)', () => {
  it('is started on first use, counts its work, and is gone while the fast path is off', async () => {
    const pool = jpegWorkerPool();
    expect(pool).toBeInstanceOf(JpegWorkerPool);
    expect(jpegWorkerPool()).toBe(pool);
    const before = jpegDecodingStats().decoded;
    expect((await pool!.decode(jpegFixture('gray.jpg'), { fit: 'fill', width: 8, height: 8 })).ok).toBe(true);
    expect(jpegDecodingStats().decoded).toBe(before + 1);
    await configureJpegDecoding({ fastPath: false });
    expect(jpegWorkerPool()).toBeUndefined();
    expect(jpegDecodingStats()).toEqual({ decoded: 0, declined: {} });
    await configureJpegDecoding({ fastPath: true, workers: 1 });
    expect(jpegWorkerPool()).not.toBe(pool);
  });

  it('rejects a bad worker count', async () => {
    await expect(configureJpegDecoding({ workers: 0 })).rejects.toThrow(/positive integer/);
    await expect(configureJpegDecoding({ workers: 1.5 })).rejects.toThrow(/positive integer/);
  });
});

/**
 * Runs `script` in a fresh Node process next to a copy of one build (the ES module files or the CommonJS ones, and
 * nothing of the other), so a build that reached for the other build's worker would fail. `code` is null when it
 * had not exited after 20 s (an idle pool holding the event loop).
 */
async function runAgainstBuild(format: 'esm' | 'cjs', script: (index: string) => string): Promise<NodeChildResult> {
  const folder = mkdtempSync(join(tmpdir(), `dcgan-jpeg-${format}-`));
  try {
    const extension = format === 'esm' ? '.js' : '.cjs';
    for (const name of readdirSync(dist).filter((file) => file.endsWith(extension)))
      copyFileSync(join(dist, name), join(folder, name));
    if (format === 'esm') writeFileSync(join(folder, 'package.json'), '{ "type": "module" }\n');
    const index = join(folder, `index${extension}`);
    return await runNode([...(format === 'esm' ? ['--input-type=module'] : []), '-e', script(index)]);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

describe('the built package starts its own worker file, and an idle pool lets the process exit', () => {
  // A Node Buffer (a view into a pooled ArrayBuffer): the pool must copy it, not detach it.
  const body = `const bytes = readFileSync(${JSON.stringify(fixture('baseline-420.jpg'))});
const request = { fit: 'outside', width: 32, height: 32 };
const result = await jpeg.jpegWorkerPool().decode(bytes, request);
const local = jpeg.createFastDecode(jpeg.createJpegDecoder(), jpeg.createResampler())(bytes, request);
console.log(JSON.stringify({ result: result.ok ? [result.width, result.height, result.channels] : result.reason, same: result.ok && Buffer.from(result.data).equals(Buffer.from(local.data)), stats: jpeg.jpegDecodingStats(), bytes: bytes.length }));`;

  it.each([
    [
      'esm' as const,
      (index: string) =>
        `import { readFileSync } from 'node:fs';\nconst jpeg = await import(${JSON.stringify(index)});\n${body}`,
    ],
    [
      'cjs' as const,
      (index: string) =>
        `const { readFileSync } = require('node:fs');\nconst jpeg = require(${JSON.stringify(index)});\n(async () => {\n${body}\n})();`,
    ],
  ])('%s build', async (format, script) => {
    const { code, stdout, stderr } = await runAgainstBuild(format, script);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      result: [47, 32, 3],
      same: true,
      stats: { decoded: 1, declined: {} },
      bytes: jpegFixture('baseline-420.jpg').length,
    });
  });
});
