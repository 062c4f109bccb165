import {
  applyTransform,
  centerCrop,
  createSeededRandom,
  resize,
  toRgb,
  writePng,
  type ImageSource,
  type ImageTransform,
  type RawImage,
} from '@dcgan/data';

import { DedupError } from '../errors/dedup-error';
import type { ReportGroup } from './dedup-report';

/** Options of {@link writeContactSheet}. */
export interface ContactSheetOptions {
  /** Most groups shown, one per row. @default 16 */
  readonly maximumGroups?: number;
  /** Most items per row (the kept one, then dropped ones). @default 8 */
  readonly maximumColumns?: number;
  /** `random`: a seeded random sample of groups (the paper's visual check of false positives); `largest`: the biggest. @default 'random' */
  readonly selection?: 'random' | 'largest';
  /** @default 0 */
  readonly seed?: number;
  /** Side of each tile in pixels. @default 64 */
  readonly tileSize?: number;
  /** How items are decoded for the sheet. @default [centerCrop(), resize(tileSize), toRgb()] */
  readonly transform?: ImageTransform;
  /** Groups placed side by side on one line (small groups make a tall, thin sheet otherwise). @default max(1, floor(8 / widest group)) */
  readonly groupsPerLine?: number;
}

/** What the sheet shows. */
export interface ContactSheetSummary {
  readonly path: string;
  /** Groups shown, in row order. */
  readonly groups: readonly ReportGroup[];
  readonly width: number;
  readonly height: number;
}

const frameWidth = 2;
const keptColour = [40, 200, 80] as const;
const droppedColour = [220, 60, 50] as const;
const background = 24;

/**
 * Draws sample duplicate groups as a PNG: each group is a strip of tiles, the kept item framed green, then the
 * dropped items framed red (small groups are placed several to a line, separated by a wider gap), so that a
 * person can judge whether the hash groups true duplicates.
 *
 * @example
 * await writeContactSheet('runs/lsun/collisions.png', source, report.groups, { maximumGroups: 24 });
 */
export async function writeContactSheet(
  path: string,
  source: ImageSource,
  groups: readonly ReportGroup[],
  options: ContactSheetOptions = {},
): Promise<ContactSheetSummary> {
  const maximumGroups = options.maximumGroups ?? 16;
  const maximumColumns = options.maximumColumns ?? 8;
  const tileSize = options.tileSize ?? 64;
  for (const [name, value] of [
    ['maximumGroups', maximumGroups],
    ['maximumColumns', maximumColumns],
    ['tileSize', tileSize],
  ] as const) {
    if (!Number.isInteger(value) || value < 1)
      throw new DedupError(`Expected \`${name}\` to be a positive integer, got \`${value}\``);
  }
  if (maximumColumns < 2)
    throw new DedupError(
      `Expected \`maximumColumns\` to be at least 2 (the kept item and one dropped), got \`${maximumColumns}\``,
    );
  if (groups.length === 0) throw new DedupError(`${path}: there are no duplicate groups to draw`);
  const transform = [...(options.transform ?? [centerCrop(), resize(tileSize), toRgb()]), resize(tileSize), toRgb()];
  const chosen = chooseGroups(groups, maximumGroups, options.selection ?? 'random', options.seed ?? 0);
  const rows = chosen.map((group) => [group.kept, ...group.dropped.slice(0, maximumColumns - 1)]);
  const wanted = new Map<number, RawImage | undefined>();
  for (const row of rows) for (const item of row) wanted.set(item.index, undefined);
  await readImages(source, wanted, transform);

  const cell = tileSize + 2 * frameWidth;
  const padding = 4;
  const groupGap = 16;
  const columns = Math.max(...rows.map((row) => row.length));
  const groupsPerLine = options.groupsPerLine ?? Math.max(1, Math.floor(8 / columns));
  if (!Number.isInteger(groupsPerLine) || groupsPerLine < 1)
    throw new DedupError(`Expected \`groupsPerLine\` to be a positive integer, got \`${groupsPerLine}\``);
  const lines = Math.ceil(rows.length / groupsPerLine);
  const slotWidth = columns * cell + (columns - 1) * padding;
  const width =
    Math.min(groupsPerLine, rows.length) * slotWidth +
    (Math.min(groupsPerLine, rows.length) - 1) * groupGap +
    2 * padding;
  const height = lines * cell + (lines + 1) * padding;
  const data = new Uint8Array(width * height * 3).fill(background);
  rows.forEach((row, rowIndex) => {
    row.forEach((item, column) => {
      const left = padding + (rowIndex % groupsPerLine) * (slotWidth + groupGap) + column * (cell + padding);
      const top = padding + Math.floor(rowIndex / groupsPerLine) * (cell + padding);
      const colour = column === 0 ? keptColour : droppedColour;
      for (let y = 0; y < cell; y += 1) {
        for (let x = 0; x < cell; x += 1) {
          const offset = ((top + y) * width + left + x) * 3;
          data[offset] = colour[0];
          data[offset + 1] = colour[1];
          data[offset + 2] = colour[2];
        }
      }
      const image = wanted.get(item.index);
      if (image === undefined) return; // unreadable now: an empty frame
      for (let y = 0; y < tileSize; y += 1) {
        const from = y * tileSize * 3;
        data.set(
          image.data.subarray(from, from + tileSize * 3),
          ((top + frameWidth + y) * width + left + frameWidth) * 3,
        );
      }
    });
  });
  await writePng(path, { width, height, channels: 3, data });
  return { path, groups: chosen, width, height };
}

function chooseGroups(
  groups: readonly ReportGroup[],
  count: number,
  selection: 'random' | 'largest',
  seed: number,
): ReportGroup[] {
  if (selection === 'largest')
    return [...groups].sort((left, right) => right.dropped.length - left.dropped.length).slice(0, count);
  const random = createSeededRandom(seed);
  const picked = groups.map((group, index) => ({ group, index, order: random() }));
  return picked
    .sort((left, right) => left.order - right.order)
    .slice(0, count)
    .sort((left, right) => left.index - right.index)
    .map((entry) => entry.group);
}

async function readImages(
  source: ImageSource,
  wanted: Map<number, RawImage | undefined>,
  transform: ImageTransform,
): Promise<void> {
  const decode = async (index: number, payload: Parameters<typeof applyTransform>[0]) => {
    try {
      wanted.set(index, await applyTransform(payload, transform));
    } catch {
      wanted.set(index, undefined);
    }
  };
  if (source.randomAccess) {
    for (const index of wanted.keys()) await decode(index, (await source.readItem(index)).payload);
    return;
  }
  let index = 0;
  const last = Math.max(...wanted.keys());
  for await (const item of source.items()) {
    if (wanted.has(index)) await decode(index, item.payload);
    if (index >= last) break;
    index += 1;
  }
}
