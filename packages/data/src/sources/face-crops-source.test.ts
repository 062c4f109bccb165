import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { readFaceBoxes } from '../formats/face-boxes';
import { createScratch, type Scratch } from '../testing/corrupt-files';
import { expected, fixture, sha256 } from '../testing/fixtures';
import { applyTransform } from '../transform/apply-transform';
import { resize } from '../transform/transform-step';
import { openFaceCrops } from './face-crops-source';

describe('openFaceCrops', () => {
  for (const boxesFile of ['boxes.csv', 'boxes.json']) {
    it(`crops squares with a margin from ${boxesFile}, equal to numpy's crops`, async () => {
      const source = await openFaceCrops(fixture('faces', 'photos'), {
        boxes: fixture('faces', boxesFile),
        margin: expected.faces.margin,
      });
      expect(source.length).toBe(expected.faces.crops.length);
      for (let index = 0; index < expected.faces.crops.length; index += 1) {
        const want = expected.faces.crops[index]!;
        const item = await source.readItem(index);
        const crop = await applyTransform(item.payload);
        expect([crop.width, crop.height]).toEqual([want.side, want.side]);
        expect(sha256(crop.data)).toBe(want.sha256);
      }
      expect((await source.readItem(1)).key).toMatch(/p1\.png#box1$/);
      const small = await applyTransform((await source.readItem(0)).payload, [resize(8)]);
      expect([small.width, small.height, small.channels]).toEqual([8, 8, 3]);
    });
  }

  it('uses whole images without a boxes file', async () => {
    const source = await openFaceCrops(fixture('faces', 'photos'));
    expect(source.length).toBe(3);
  });

  describe('boxes files', () => {
    let scratch: Scratch;
    beforeAll(async () => {
      scratch = await createScratch('faces');
    });
    afterAll(() => scratch.remove());

    it('reads CelebA-style whitespace files with a count line and a header', async () => {
      const path = await scratch.write(
        'list_bbox_celeba.txt',
        new TextEncoder().encode(
          '2\nimage_id x_1 y_1 width height\n000001.jpg    95  71 226 313\n000002.jpg 72 94 221 306\n',
        ),
      );
      expect(await readFaceBoxes(path)).toEqual([
        { file: '000001.jpg', box: { left: 95, top: 71, width: 226, height: 313 } },
        { file: '000002.jpg', box: { left: 72, top: 94, width: 221, height: 306 } },
      ]);
    });

    it('reads quoted CSV file names (commas, quotes, line breaks) as written by Python’s csv module', async () => {
      expect(await readFaceBoxes(fixture('faces', 'boxes-quoted.csv'))).toEqual([
        { file: 'crowd, front row.jpg', box: { left: 1.5, top: 2, width: 30, height: 30 } },
        { file: 'say "cheese".jpg', box: { left: 0, top: 0, width: 10, height: 12 } },
        { file: 'two\nlines.jpg', box: { left: 3, top: 4, width: 5, height: 6 } },
        { file: 'plain.jpg', box: { left: 7, top: 8, width: 9, height: 10 } },
      ]);
      const unclosed = await scratch.write(
        'unclosed.csv',
        new TextEncoder().encode('file,x,y,w,h\na.jpg,1,2,3,4\n"b.jpg,1,2,3,4\n'),
      );
      await expect(readFaceBoxes(unclosed)).rejects.toThrow(`${unclosed}: line 3: a quoted field is never closed`);
      const trailing = await scratch.write('trailing.csv', new TextEncoder().encode('"a.jpg"x,1,2,3,4\n'));
      await expect(readFaceBoxes(trailing)).rejects.toThrow(
        `${trailing}: line 1: unexpected text after a quoted field`,
      );
      const spaced = await scratch.write('spaced.csv', new TextEncoder().encode('a.jpg, 1, 2, 3, 4\r\n'));
      expect(await readFaceBoxes(spaced)).toEqual([{ file: 'a.jpg', box: { left: 1, top: 2, width: 3, height: 4 } }]);
    });

    it('refuses file names that leave the photos folder (`..`, absolute paths), naming the line', async () => {
      const parent = await scratch.write(
        'parent.csv',
        new TextEncoder().encode('file,x,y,w,h\np1.png,1,2,3,4\n../boxes.csv,1,2,3,4\n'),
      );
      const message = `${parent}: line 3: \`../boxes.csv\` is not a path inside the photos folder (absolute paths and \`..\` are refused)`;
      await expect(readFaceBoxes(parent)).rejects.toThrow(message);
      await expect(openFaceCrops(fixture('faces', 'photos'), { boxes: parent })).rejects.toThrow(message);
      for (const file of ['/etc/passwd', 'a/../../b.png', 'C:\\photos\\a.png', 'a\\..\\..\\b.png']) {
        const json = await scratch.write(
          'escape.json',
          new TextEncoder().encode(JSON.stringify([{ file, x: 1, y: 2, w: 3, h: 4 }])),
        );
        await expect(readFaceBoxes(json), file).rejects.toThrow(/entry 0: `.+` is not a path inside the photos folder/);
      }
      // `..` inside a name is fine.
      const dots = await scratch.write('dots.csv', new TextEncoder().encode('a..b.png,1,2,3,4\n'));
      expect((await readFaceBoxes(dots))[0]!.file).toBe('a..b.png');
    });

    it('names the file and line of a bad row', async () => {
      const path = await scratch.write(
        'bad.csv',
        new TextEncoder().encode('file,x,y,w,h\na.jpg,1,2,3,4\nb.jpg,1,2,3\n'),
      );
      await expect(readFaceBoxes(path)).rejects.toThrow(`${path}: line 3: expected 5 fields (file, x, y, w, h), got 4`);
      const negative = await scratch.write(
        'negative.json',
        new TextEncoder().encode('[{"file":"a.jpg","x":1,"y":2,"w":0,"h":4}]'),
      );
      await expect(readFaceBoxes(negative)).rejects.toThrow(
        `${negative}: entry 0: expected a positive width and height, got w=0 h=4`,
      );
      const broken = await scratch.write('broken.json', new TextEncoder().encode('[{"file": '));
      await expect(readFaceBoxes(broken)).rejects.toThrow(/broken\.json: invalid JSON/);
    });
  });
});
