// Prints the markdown tables of packages/dedup/evaluation/EVALUATION.md ("Held-out kinds") from evaluate-kinds.json.
//   node apps/dedup/scripts/format-evaluate-kinds.mjs <out-dir>/evaluate-kinds.json
import { readFile } from 'node:fs/promises';

const { results, seconds, backend } = JSON.parse(await readFile(process.argv[2], 'utf8'));
const defaults = { shiftProbes: 2, radius: 3, probeRadius: 0, verification: 0.08 };
const f = (value) => value.toFixed(3);
const percent = (value) => `${(100 * value).toFixed(2)}%`;
const same = (row, setting) => Object.entries(setting).every(([key, value]) => row[key] === value);
const line = (label, row) =>
  `| ${label} | ${row.reportedPairs} | ${row.falsePairs} | ${f(row.precision)} | ${f(row.recall)} | ${['jpeg', 'shift', 'brightness', 'exact'].map((kind) => f(row.recallByKind[kind] ?? NaN)).join(' | ')} | ${row.wronglyDropped} (${percent(row.wronglyDroppedShare)}) |`;
const out = [];
out.push(`Backend ${backend}; the whole run took ${(seconds / 60).toFixed(0)} minutes on 2 shared CPU cores.`, '');
for (const result of results) {
  const rows = result.rows;
  const find = (setting, method = 'semantic') => rows.find((row) => row.method === method && same(row, setting));
  out.push(`### ${result.name}`, '');
  out.push(`${result.distinct} distinct images (exact pixel copies removed) + ${result.planted} planted copies (${Object.entries(result.plantedByKind).map(([kind, count]) => `${count} ${kind}`).join(', ')}); hasher ${result.hasherNote}.`, '');
  out.push('| method | pairs | false pairs | precision | recall | JPEG | shift | brightness | exact | distinct images wrongly dropped |', '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  const d = find(defaults);
  if (d) out.push(line('**defaults**: semantic, shift probes 2, radius 3 (probe radius 0), verified (t = 0.08)', d));
  const u = find({ ...defaults, verification: 'none' });
  if (u) out.push(line('same candidates, not verified (star groups, no chaining)', u));
  const p = find({ shiftProbes: 0, radius: 0, probeRadius: 0, verification: 0.08 });
  if (p) out.push(line('paper: exact code match, no probes, verified', p));
  const p0 = find({ shiftProbes: 0, radius: 0, probeRadius: 0, verification: 'none' });
  if (p0) out.push(line('paper: exact code match, no probes, not verified', p0));
  for (const row of rows.filter((row) => row.method !== 'semantic')) out.push(line(`anchor: ${row.method}, radius ${row.radius}`, row));
  const verified = rows.filter((row) => row.method === 'semantic' && row.verification !== 'none');
  const worstDrop = verified.reduce((worst, row) => (row.wronglyDroppedShare > worst.wronglyDroppedShare ? row : worst));
  const worstPrecision = verified.reduce((worst, row) => (row.precision < worst.precision ? row : worst));
  const atDefaultT = verified.filter((row) => row.verification === 0.08);
  const worstDropDefaultT = atDefaultT.reduce((worst, row) => (row.wronglyDroppedShare > worst.wronglyDroppedShare ? row : worst));
  const unverified = rows.filter((row) => row.method === 'semantic' && row.verification === 'none');
  const worstUnverified = unverified.reduce((worst, row) => (row.wronglyDroppedShare > worst.wronglyDroppedShare ? row : worst));
  const setting = (row) => `shift probes ${row.shiftProbes}, radius ${row.radius}, probe radius ${row.probeRadius}, t ${row.verification}`;
  out.push('');
  out.push(
    `Over the ${atDefaultT.length} CLI settings (shift probes 0/2, radius 0-3, probe radius 0-2, verification at the default t = 0.08): at most ${worstDropDefaultT.wronglyDropped} distinct images wrongly dropped (${percent(worstDropDefaultT.wronglyDroppedShare)}, ${setting(worstDropDefaultT)}). ` +
      `Over all ${verified.length} verified settings (t = ${[...new Set(verified.map((row) => row.verification))].join(', ')}): at most ${percent(worstDrop.wronglyDroppedShare)} (${setting(worstDrop)}), lowest precision ${f(worstPrecision.precision)} (${setting(worstPrecision)}). ` +
      `Without verification the worst of these settings drops ${percent(worstUnverified.wronglyDroppedShare)} (${setting(worstUnverified)}).`,
  );
  if (d) out.push('', `Verification cost at the defaults: ${d.checkedPairs} (kept item, candidate) pairs compared in ${d.verifySeconds.toFixed(2)} s (grouping in all: ${d.seconds.toFixed(2)} s).`);
  out.push('');
}
process.stdout.write(`${out.join('\n')}\n`);
