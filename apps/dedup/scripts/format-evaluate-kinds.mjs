// Prints the markdown tables of packages/dedup/evaluation/EVALUATION.md ("Held-out kinds") from evaluate-kinds.json.
//   node apps/dedup/scripts/format-evaluate-kinds.mjs <out-dir>/evaluate-kinds.json [t] [background tolerance] [h]
// t and the tolerance name the default verification (0.08 and 12 unless given), h the default thumbnail dHash radius
// (-1, off, unless given; rows scored without it count as off).
import { readFile } from 'node:fs/promises';

const [file, t = '0.08', tolerance = '12', h = '-1'] = process.argv.slice(2);
const { results, seconds, backend } = JSON.parse(await readFile(file, 'utf8'));
const verification = { verification: Number(t), backgroundTolerance: Number(tolerance) };
const defaults = { shiftProbes: 2, radius: 3, probeRadius: 0, ...verification, thumbnailHashRadius: Number(h) };
const f = (value) => value.toFixed(3);
const percent = (value) => `${(100 * value).toFixed(2)}%`;
const field = (row, key) => (key === 'thumbnailHashRadius' ? (row[key] ?? -1) : row[key]);
const same = (row, setting) => Object.entries(setting).every(([key, value]) => field(row, key) === value);
const line = (label, row) =>
  `| ${label} | ${row.reportedPairs} | ${row.falsePairs} (${row.falsePairsInFamily ?? 0}) | ${f(row.precision)} | ${f(row.recall)} | ${['jpeg', 'shift', 'brightness', 'exact'].map((kind) => f(row.recallByKind[kind] ?? NaN)).join(' | ')} | ${row.wronglyDropped} (${percent(row.wronglyDroppedShare)}; ${row.wronglyDroppedInFamily ?? 0} in a family) |`;
const out = [];
out.push(`Backend ${backend}; the whole run took ${(seconds / 60).toFixed(0)} minutes on 2 shared CPU cores.`, '');
for (const result of results) {
  const rows = result.rows;
  const find = (setting, method = 'semantic') => rows.find((row) => row.method === method && same(row, setting));
  out.push(`### ${result.name}`, '');
  out.push(
    `${result.distinct} distinct images (exact pixel copies removed) + ${result.planted} planted copies (${Object.entries(
      result.plantedByKind,
    )
      .map(([kind, count]) => `${count} ${kind}`)
      .join(', ')}); hasher ${result.hasherNote}.`,
    '',
  );
  out.push(
    '| method | pairs | false pairs (in a look-alike family) | precision | recall | JPEG | shift | brightness | exact | distinct images wrongly dropped |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  const d = find(defaults);
  if (d)
    out.push(
      line(
        `**defaults**: semantic, shift probes 2, radius 3 (probe radius 0)${Number(h) >= 0 ? `, thumbnail dHash radius ${h}` : ''}, verified (t = ${t}, background tolerance ${tolerance})`,
        d,
      ),
    );
  if (Number(h) >= 0) {
    const off = find({ ...defaults, thumbnailHashRadius: -1 });
    if (off) out.push(line('the same without the thumbnail dHash candidates', off));
  }
  const u = find({ ...defaults, verification: 'none', thumbnailHashRadius: -1 });
  if (u) out.push(line('same candidates, not verified (star groups, no chaining)', u));
  const p = find({ shiftProbes: 0, radius: 0, probeRadius: 0, ...verification, thumbnailHashRadius: -1 });
  if (p) out.push(line('paper: exact code match, no probes, verified', p));
  const p0 = find({ shiftProbes: 0, radius: 0, probeRadius: 0, verification: 'none' });
  if (p0) out.push(line('paper: exact code match, no probes, not verified', p0));
  for (const row of rows.filter((row) => row.method !== 'semantic'))
    out.push(line(`anchor: ${row.method}, radius ${row.radius}`, row));
  const setting = (row) =>
    `shift probes ${row.shiftProbes}, radius ${row.radius}, probe radius ${row.probeRadius}, thumbnail dHash ${field(row, 'thumbnailHashRadius') >= 0 ? `radius ${row.thumbnailHashRadius}` : 'off'}, t ${row.verification}${row.verification === 'none' ? '' : `, tolerance ${row.backgroundTolerance}`}`;
  const worst = (list, by) => list.reduce((top, row) => (by(row) > by(top) ? row : top));
  const cli = rows.filter((row) => row.method === 'semantic' && same(row, verification));
  const dHashRadii = [...new Set(cli.map((row) => field(row, 'thumbnailHashRadius')))].join('/');
  const worstDrop = worst(cli, (row) => row.wronglyDroppedShare);
  const worstOutside = worst(cli, (row) => row.wronglyDropped - (row.wronglyDroppedInFamily ?? 0));
  const worstPrecision = worst(cli, (row) => -row.precision);
  const unverified = rows.filter((row) => row.method === 'semantic' && row.verification === 'none');
  const worstUnverified = worst(unverified, (row) => row.wronglyDroppedShare);
  out.push('');
  out.push(
    `Over the ${cli.length} CLI settings scored (shift probes 0/2, radius 0-3, probe radius 0-2, thumbnail dHash radius ${dHashRadii}, default verification): at most ${worstDrop.wronglyDropped} distinct images wrongly dropped (${percent(worstDrop.wronglyDroppedShare)}, ${setting(worstDrop)}), ` +
      `of which ${worstDrop.wronglyDroppedInFamily ?? 0} within a look-alike family; outside the families at most ${worstOutside.wronglyDropped - (worstOutside.wronglyDroppedInFamily ?? 0)} (${percent((worstOutside.wronglyDropped - (worstOutside.wronglyDroppedInFamily ?? 0)) / result.distinct)}, ${setting(worstOutside)}). ` +
      `Lowest precision ${f(worstPrecision.precision)} (${setting(worstPrecision)}). Without verification the worst of these settings drops ${percent(worstUnverified.wronglyDroppedShare)} (${setting(worstUnverified)}).`,
  );
  if (d)
    out.push(
      '',
      `Verification cost at the defaults: ${d.checkedPairs} (kept item, candidate) pairs compared in ${d.verifySeconds.toFixed(2)} s (grouping in all: ${d.seconds.toFixed(2)} s).`,
    );
  out.push('');
}
process.stdout.write(`${out.join('\n')}\n`);
