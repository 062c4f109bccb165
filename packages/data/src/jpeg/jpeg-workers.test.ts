import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, describe, expect, it } from 'vitest';

import { applyTransform } from '../transform/apply-transform';
import { resize, resizeThenCenterCrop } from '../transform/transform-step';
import { fixture } from '../testing/fixtures';
import { compareRegion, jpegFixture, jpegManifest, readPngFixture } from '../testing/jpeg-fixtures';
import { createFastDecode } from './fast-decode';
import { createJpegDecoder } from './jpeg-decoder';
import { configureJpegDecoding, jpegDecodingStats, JpegWorkerPool } from './jpeg-workers';
import { createResampler } from './resample';

afterAll(async () => {
  await configureJpegDecoding({ fastPath: true });
});

describe('JPEG fast path in applyTransform', () => {
  it.each(Object.entries(jpegManifest.pipeline))('%s: LSUN recipe matches PIL draft() + BILINEAR + crop', async (_, entry) => {
    const before = jpegDecodingStats().decoded;
    // A Node Buffer from a file read: the pool sends a copy and leaves the caller's bytes intact.
    const encoded = readFileSync(fixture('jpeg', entry.jpeg));
    const length = encoded.length;
    const image = await applyTransform({ encoded }, resizeThenCenterCrop(entry.size));
    expect(jpegDecodingStats().decoded).toBe(before + 1);
    expect(encoded.length).toBe(length);
    const reference = await readPngFixture(entry.reference);
    expect([image.width, image.height, image.channels]).toEqual([reference.width, reference.height, reference.channels]);
    const { max, mean } = compareRegion(image, reference);
    expect(max).toBeLessThanOrEqual(4);
    expect(mean).toBeLessThan(0.5);
  });

  it.each(Object.entries(jpegManifest.crops))('%s: a crop region (face box), then resize, matches PIL draft() + BILINEAR with a box', async (file, entry) => {
    const before = jpegDecodingStats().decoded;
    const [left, top, width, height] = entry.box;
    const image = await applyTransform({ encoded: jpegFixture(entry.jpeg), region: { kind: 'exact', box: { left, top, width, height } } }, [resize(entry.size)]);
    expect(jpegDecodingStats().decoded).toBe(before + 1);
    const reference = await readPngFixture(file);
    expect([image.width, image.height, image.channels]).toEqual([entry.size, entry.size, 3]);
    const { max, mean } = compareRegion(image, reference);
    expect(max).toBeLessThanOrEqual(4);
    expect(mean).toBeLessThan(0.5);
    // The sharp path cuts the same region: the pictures agree up to the filters.
    await configureJpegDecoding({ fastPath: false });
    const viaSharp = await applyTransform({ encoded: jpegFixture(entry.jpeg), region: { kind: 'exact', box: { left, top, width, height } } }, [resize(entry.size)]);
    await configureJpegDecoding({ fastPath: true });
    expect(compareRegion(image, viaSharp).mean).toBeLessThan(6);
  });

  it('gives the same picture as the sharp path (Lanczos on a full decode), up to the filters', async () => {
    const encoded = jpegFixture('baseline-420.jpg');
    const fast = await applyTransform({ encoded }, resizeThenCenterCrop(48));
    await configureJpegDecoding({ fastPath: false });
    const before = jpegDecodingStats();
    const slow = await applyTransform({ encoded }, resizeThenCenterCrop(48));
    expect(jpegDecodingStats()).toEqual(before);
    await configureJpegDecoding({ fastPath: true });
    expect([fast.width, fast.height, fast.channels]).toEqual([slow.width, slow.height, slow.channels]);
    expect(compareRegion(fast, slow).mean).toBeLessThan(3);
  });

  it('hands what it declines to sharp: an arithmetic-coded JPEG decodes exactly as with the fast path off', async () => {
    const encoded = jpegFixture('arithmetic.jpg');
    const reason = 'unsupported frame type 0xc9';
    const declinedBefore = jpegDecodingStats().declined[reason] ?? 0;
    const viaFallback = await applyTransform({ encoded }, resizeThenCenterCrop(16));
    expect(jpegDecodingStats().declined[reason]).toBe(declinedBefore + 1);
    await configureJpegDecoding({ fastPath: false });
    const viaSharp = await applyTransform({ encoded }, resizeThenCenterCrop(16));
    await configureJpegDecoding({ fastPath: true });
    expect(Array.from(viaFallback.data)).toEqual(Array.from(viaSharp.data));
  });

  it('a truncated JPEG is still rejected with sharp’s error (the fast path never decides an image is bad)', async () => {
    const bytes = jpegFixture('baseline-420.jpg');
    await expect(applyTransform({ encoded: bytes.subarray(0, 2000) }, resizeThenCenterCrop(16))).rejects.toMatchObject({
      name: 'DataError',
      message: expect.stringMatching(/cannot decode image/) as unknown,
    });
  });

  it('rejects a bad worker count', async () => {
    await expect(configureJpegDecoding({ workers: 0 })).rejects.toThrow(/positive integer/);
  });
});

describe('JpegWorkerPool', () => {
  it('returns, for 300 concurrent images, exactly what the same code gives on the main thread', async () => {
    const pool = new JpegWorkerPool(2);
    const local = createFastDecode(createJpegDecoder(), createResampler());
    const names = ['baseline-420', 'baseline-422', 'odd-size-420', 'gray', 'restart-blocks', 'progressive-restart', 'arithmetic'];
    const requests = Array.from({ length: 300 }, (_, index) => ({
      bytes: jpegFixture(`${names[index % names.length]!}.jpg`),
      request: { fit: index % 3 === 0 ? ('fill' as const) : ('outside' as const), width: 8 + (index % 40), height: 8 + (index % 40) },
    }));
    const results = await Promise.all(requests.map(({ bytes, request }) => pool.decode(bytes, request)));
    results.forEach((result, index) => {
      const expected = local(requests[index]!.bytes, requests[index]!.request);
      expect(result.ok).toBe(expected.ok);
      if (result.ok && expected.ok) {
        expect([result.width, result.height, result.channels]).toEqual([expected.width, expected.height, expected.channels]);
        expect(Buffer.from(result.data).equals(Buffer.from(expected.data))).toBe(true);
      }
    });
    const declined = results.filter((result) => !result.ok).length;
    expect(declined).toBe(requests.filter((_, index) => index % names.length === 6).length);
    expect(pool.stats).toEqual({ decoded: 300 - declined, declined: { 'unsupported frame type 0xc9': declined } });
    await pool.close();
    expect(await pool.decode(jpegFixture('gray.jpg'), { fit: 'fill', width: 8, height: 8 })).toEqual({ ok: false, reason: 'worker pool closed' });
  });

  it('a worker that dies fails its pending images over to sharp (declines) and is replaced', async () => {
    const pool = new JpegWorkerPool(1);
    const bytes = jpegFixture('baseline-420.jpg');
    const request = { fit: 'outside' as const, width: 32, height: 32 };
    expect((await pool.decode(bytes, request)).ok).toBe(true);
    const pending = Array.from({ length: 20 }, () => pool.decode(bytes, request));
    // Kill the only worker while it has work (reaching into the pool: there is no public way to crash a worker).
    await (pool as unknown as { workers: { worker: { terminate(): Promise<number> } }[] }).workers[0]!.worker.terminate();
    const settled = await Promise.all(pending);
    expect(settled.filter((result) => !result.ok).length).toBeGreaterThan(0);
    for (const result of settled) if (!result.ok) expect(result.reason).toBe('decode worker exited');
    // The next image gets a fresh worker.
    expect((await pool.decode(bytes, request)).ok).toBe(true);
    await pool.close();
  });

  it('closing the pool settles every image in flight', async () => {
    const pool = new JpegWorkerPool(2);
    const pending = Array.from({ length: 40 }, () => pool.decode(jpegFixture('progressive-large.jpg'), { fit: 'fill', width: 16, height: 16 }));
    await pool.close();
    const settled = await Promise.all(pending);
    expect(settled).toHaveLength(40);
    for (const result of settled) if (!result.ok) expect(result.reason).toBe('worker pool closed');
  });

  const built = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'index.js');
  it.runIf(existsSync(built))('an idle pool does not keep a process alive (built package)', async () => {
    const script = `import { applyTransform, resizeThenCenterCrop, jpegDecodingStats } from ${JSON.stringify(built)};
import { readFileSync } from 'node:fs';
// A Node Buffer (a view into a pooled ArrayBuffer): the pool must copy it, not detach it.
const image = await applyTransform({ encoded: readFileSync(${JSON.stringify(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'fixtures', 'jpeg', 'baseline-420.jpg'))}) }, resizeThenCenterCrop(32));
console.log(JSON.stringify({ shape: [image.width, image.height, image.channels], decoded: jpegDecodingStats().decoded }));`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        child.kill();
        resolve(null);
      }, 20_000);
      child.on('exit', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    expect(code).toBe(0);
    expect(JSON.parse(output)).toEqual({ shape: [32, 32, 3], decoded: 1 });
  });
});
