import sharp from 'sharp';
import { describe, expect, it } from 'vitest';

import { applyTransform } from '@dcgan/data';

import { FacesError } from '../errors/faces-error';
import { decodePhoto, rawToRgb, shrinkForDetection } from './decode-photo';

/** A 40 x 20 image, left half red and right half blue, so orientation is visible in the pixels. */
async function halves(): Promise<Buffer> {
  const data = Buffer.alloc(40 * 20 * 3);
  for (let y = 0; y < 20; y += 1) {
    for (let x = 0; x < 40; x += 1) data.set(x < 20 ? [255, 0, 0] : [0, 0, 255], (y * 40 + x) * 3);
  }
  return sharp(data, { raw: { width: 40, height: 20, channels: 3 } })
    .png()
    .toBuffer();
}

describe('decodePhoto', () => {
  it('turns a photo upright by its EXIF orientation, the frame @dcgan/data crops in', async () => {
    // Orientation 6: the stored 40 x 20 image is shown rotated 90 degrees clockwise, 20 wide and 40 tall.
    const jpeg = await sharp(await halves())
      .jpeg({ quality: 95 })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const photo = await decodePhoto(jpeg, 'rotated.jpg');
    expect([photo.width, photo.height, photo.channels]).toEqual([20, 40, 3]);
    // Red (left half) ends up on top after a clockwise turn.
    expect(photo.data[0]).toBeGreaterThan(200);
    expect(photo.data[(39 * 20 + 10) * 3 + 2]).toBeGreaterThan(200);
    // @dcgan/data's face-crop path sees the same frame: a box in the top half is red.
    const crop = await applyTransform({
      encoded: jpeg,
      region: { kind: 'exact', box: { left: 0, top: 0, width: 20, height: 10 } },
    });
    expect([crop.width, crop.height]).toEqual([20, 10]);
    expect(crop.data[0]).toBeGreaterThan(200);
  });

  it('refuses a photo over the pixel limit from its header, before decoding it (a PNG bomb)', async () => {
    // 72 megapixels of black: about 70 KB as a PNG, 288 MB once decoded to RGB(A).
    const bomb = await sharp({ create: { width: 9000, height: 8000, channels: 3, background: '#000' } })
      .grayscale()
      .png({ compressionLevel: 9 })
      .toBuffer();
    expect(bomb.length).toBeLessThan(300_000);
    const error = await decodePhoto(bomb, 'bomb.png').catch((caught: unknown) => caught);
    expect(FacesError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(
      'bomb.png: 9000 x 8000 is 72 megapixels, more than the limit of 64 (maxPhotoPixels; raise it with --max-megapixels)',
    );
    const small = await halves();
    await expect(decodePhoto(small, 'small.png', 799)).rejects.toThrow(
      'small.png: 40 x 20 is 0.0008 megapixels, more than the limit of 0.000799',
    );
    expect((await decodePhoto(small, 'small.png', 800)).width).toBe(40);
  });

  it('gives RGB for gray and RGBA images', async () => {
    const gray = await sharp(Buffer.alloc(16, 128), { raw: { width: 4, height: 4, channels: 1 } })
      .png()
      .toBuffer();
    const rgba = await sharp(Buffer.alloc(64, 200), { raw: { width: 4, height: 4, channels: 4 } })
      .png()
      .toBuffer();
    for (const bytes of [gray, rgba]) expect((await decodePhoto(bytes, 'x.png')).channels).toBe(3);
    const raw = await rawToRgb({ width: 2, height: 1, channels: 1, data: new Uint8Array([0, 255]) });
    expect([...raw.data]).toEqual([0, 0, 0, 255, 255, 255]);
  });

  it('names the file it cannot decode', async () => {
    const error = await decodePhoto(new Uint8Array([1, 2, 3]), 'notes.jpg').catch((caught: unknown) => caught);
    expect(FacesError.isInstance(error)).toBe(true);
    expect((error as FacesError).file).toBe('notes.jpg');
    expect((error as Error).message).toMatch(/^notes\.jpg: cannot decode image/);
  });

  it('shrinks for detection without enlarging, with the factors back to the photo', async () => {
    const photo = await decodePhoto(await halves(), 'halves.png');
    expect(await shrinkForDetection(photo, 100)).toEqual({ image: photo, scaleX: 1, scaleY: 1 });
    const { image, scaleX, scaleY } = await shrinkForDetection(photo, 10);
    expect([image.width, image.height, scaleX, scaleY]).toEqual([10, 5, 4, 4]);
  });
});
