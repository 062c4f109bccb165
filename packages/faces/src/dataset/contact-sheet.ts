import sharp from 'sharp';

import type { RawImage } from '@dcgan/data';

import { FacesError } from '../errors/faces-error';
import type { FaceDecision, RejectionReason } from '../selection/select-faces';

/** Side of one contact-sheet tile, in pixels; the caption strip is below it. */
export const tileSize = 112;
const captionHeight = 18;
const columns = 10;
const gap = 4;
const headerHeight = 30;

const colours: Record<'kept' | RejectionReason, string> = {
  kept: '#2ecc40',
  'too-small': '#ff4136',
  'low-score': '#ff851b',
};

function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function caption(decision: FaceDecision): string {
  const side = Math.round(Math.min(decision.box.width, decision.box.height));
  const score = decision.box.score.toFixed(2);
  if (decision.reason === 'too-small') return `too small ${side}px`;
  if (decision.reason === 'low-score') return `low score ${score}`;
  return `${score} ${side}px`;
}

/**
 * Draws one box for the contact sheet: its square crop region with the detector box outlined, a border coloured
 * by verdict (green kept, red too small, orange low score) and a caption. Returns PNG bytes.
 */
export async function renderContactTile(photo: RawImage, decision: FaceDecision): Promise<Uint8Array> {
  const { region, box } = decision;
  const scale = tileSize / region.width;
  const colour = colours[decision.reason ?? 'kept'];
  const overlay = `<svg xmlns="http://www.w3.org/2000/svg" width="${tileSize}" height="${tileSize + captionHeight}">
  <rect x="${((box.left - region.left) * scale).toFixed(1)}" y="${((box.top - region.top) * scale).toFixed(1)}" width="${(box.width * scale).toFixed(1)}" height="${(box.height * scale).toFixed(1)}" fill="none" stroke="${colour}" stroke-width="1.5" stroke-dasharray="4 3"/>
  <rect x="1.5" y="1.5" width="${tileSize - 3}" height="${tileSize + captionHeight - 3}" fill="none" stroke="${colour}" stroke-width="3"/>
  <rect x="0" y="${tileSize}" width="${tileSize}" height="${captionHeight}" fill="${colour}"/>
  <text x="${tileSize / 2}" y="${tileSize + 13}" font-family="DejaVu Sans, sans-serif" font-size="11" fill="#000" text-anchor="middle">${escapeXml(caption(decision))}</text>
</svg>`;
  const { width, height, channels } = photo;
  const square = await sharp(photo.data, { raw: { width, height, channels } })
    .extract(region)
    .resize(tileSize, tileSize, { fit: 'fill' })
    .extend({ bottom: captionHeight, background: '#000000' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const png = await sharp(square.data, {
    raw: { width: square.info.width, height: square.info.height, channels: square.info.channels },
  })
    .composite([{ input: Buffer.from(overlay), top: 0, left: 0 }])
    .png()
    .toBuffer();
  return new Uint8Array(png.buffer, png.byteOffset, png.length);
}

/** One section of the sheet: a title and the tiles under it. */
export interface ContactSheetSection {
  readonly title: string;
  /** PNG files (paths or bytes) made by `renderContactTile`. */
  readonly tiles: readonly (string | Uint8Array)[];
}

/**
 * Lays sections of tiles out in rows of ten under their titles, on one PNG.
 *
 * @example
 * const png = await composeContactSheet([{ title: 'Kept: 12 of 12', tiles: keptTiles }, { title: 'Rejected: 3', tiles: rejectedTiles }]);
 */
export async function composeContactSheet(sections: readonly ContactSheetSection[]): Promise<Uint8Array> {
  const cellWidth = tileSize + gap;
  const cellHeight = tileSize + captionHeight + gap;
  const width = gap + columns * cellWidth;
  const layers: sharp.OverlayOptions[] = [];
  let top = gap;
  for (const section of sections) {
    layers.push({
      input: Buffer.from(
        `<svg xmlns="http://www.w3.org/2000/svg" width="${width - 2 * gap}" height="${headerHeight}"><text x="4" y="21" font-family="DejaVu Sans, sans-serif" font-size="16" fill="#eeeeee">${escapeXml(section.title)}</text></svg>`,
      ),
      top,
      left: gap,
    });
    top += headerHeight;
    section.tiles.forEach((tile, index) => {
      layers.push({
        input: typeof tile === 'string' ? tile : Buffer.from(tile.buffer, tile.byteOffset, tile.length),
        top: top + Math.floor(index / columns) * cellHeight,
        left: gap + (index % columns) * cellWidth,
      });
    });
    top += Math.max(1, Math.ceil(section.tiles.length / columns)) * cellHeight;
  }
  try {
    const png = await sharp({ create: { width, height: top + gap, channels: 3, background: '#1b1b1b' } })
      .composite(layers)
      .png()
      .toBuffer();
    return new Uint8Array(png.buffer, png.byteOffset, png.length);
  } catch (error) {
    throw new FacesError(`cannot compose the contact sheet: ${(error as Error).message}`, { cause: error });
  }
}
