// @dcgan/dedup grouping cost (issue 5).
//
// Rows:
// - exact grouping (the paper's exact code match) of 1,000,000 synthetic 128-bit codes (100,000 with --quick), of
//   which 10% are copies of earlier codes: wall and CPU seconds; target < 5 s for 1M.
// - memory: peak RSS growth of the grouping, in a fresh process per size (250k, 500k, 1M), per code; roughly
//   constant bytes per code means memory linear in the count. The 16 bytes per code of the input are not counted.
// - multi-index hashing at Hamming radius 1 and 2 (1M codes, 5% of them copies with 1-2 flipped bits): seconds and
//   candidate pairs compared, i.e. the stated price of near matching.
// Each measurement runs in its own child process (fresh heap, honest peak RSS).
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const suite = 'dedup-grouping';
const dedupUrl = pathToFileURL(join(root, 'packages', 'dedup', 'dist', 'index.js')).href;

// The child: builds codes, then measures one grouping.
const child = `
const { findDuplicateGroups } = await import(${JSON.stringify(dedupUrl)});
const [count, radius, copyFraction, maximumFlips] = JSON.parse(process.argv[1]);
let state = 12345;
const random = () => { state = (Math.imul(state, 1103515245) + 12345) >>> 0; return state / 4294967296; };
const codes = new Uint8Array(count * 16);
for (let item = 0; item < count; item += 1) {
  if (item > 0 && random() < copyFraction) {
    const source = Math.floor(random() * item);
    codes.copyWithin(item * 16, source * 16, source * 16 + 16);
    const flips = Math.floor(random() * (maximumFlips + 1));
    for (let flip = 0; flip < flips; flip += 1) { const bit = Math.floor(random() * 128); codes[item * 16 + (bit >> 3)] ^= 1 << (bit & 7); }
  } else {
    for (let byte = 0; byte < 16; byte += 1) codes[item * 16 + byte] = Math.floor(random() * 256);
  }
}
const rssBefore = process.memoryUsage().rss;
const cpuBefore = process.cpuUsage();
const started = performance.now();
const groups = findDuplicateGroups({ codes, codeBits: 128, count }, { radius });
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
const peakGrowth = process.resourceUsage().maxRSS * 1024 - rssBefore;
process.stdout.write(JSON.stringify({ seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, peakGrowth, groups: groups.groupCount, candidatePairs: groups.stats.candidatePairs, matchedPairs: groups.stats.matchedPairs }));
`;

function measure(count, radius, copyFraction, maximumFlips) {
  const result = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', child, JSON.stringify([count, radius, copyFraction, maximumFlips])],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  if (result.status !== 0) throw new Error(`grouping child failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

export async function run({ quick }) {
  const rows = [];
  const load = () => `load ${loadavg()[0].toFixed(1)}`;
  const large = quick ? 100_000 : 1_000_000;
  const exact = measure(large, 0, 0.1, 0);
  rows.push({
    suite,
    name: `exact grouping, ${large.toLocaleString('en')} 128-bit codes`,
    value: exact.seconds,
    unit: 's',
    target: large === 1_000_000 ? '< 5' : undefined,
    note: `${exact.cpuSeconds.toFixed(2)} s CPU, ${exact.groups} groups, ${load()}`,
  });
  for (const count of quick ? [25_000, 100_000] : [250_000, 500_000, 1_000_000]) {
    const measured = count === large ? exact : measure(count, 0, 0.1, 0);
    rows.push({
      suite,
      name: `exact grouping peak memory per code, ${count.toLocaleString('en')} codes`,
      value: measured.peakGrowth / count,
      unit: 'bytes/code',
      target: 'flat across sizes (linear)',
      note: `peak RSS growth ${(measured.peakGrowth / 2 ** 20).toFixed(1)} MiB`,
    });
  }
  for (const radius of [1, 2]) {
    const near = measure(large, radius, 0.05, 2);
    rows.push({
      suite,
      name: `Hamming radius ${radius} (multi-index hashing, ${radius + 1} parts), ${large.toLocaleString('en')} codes`,
      value: near.seconds,
      unit: 's',
      note: `${near.candidatePairs} candidate pairs compared, ${near.matchedPairs} within radius, ${(near.peakGrowth / large).toFixed(0)} bytes/code peak, ${load()}`,
    });
  }
  return rows;
}
