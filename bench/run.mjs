#!/usr/bin/env node
// `pnpm bench`: runs every suite in bench/suites/*.mjs (or those named on the command line), each in its
// own Node process so each gets a fresh tfjs engine, prints one table and writes bench/results.json.
//
// A suite is an ES module exporting `async function run(context)` that returns an array of rows:
//   { suite, name, value, unit, target?, note? }
// `context` holds { cores, quick }: `--quick` asks suites for short runs (used by CI smoke checks).
import { spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const arguments_ = process.argv.slice(2);
const quick = arguments_.includes('--quick');
const wanted = arguments_.filter((argument) => !argument.startsWith('--'));

if (process.env.DCGAN_BENCH_CHILD) {
  const suitePath = process.env.DCGAN_BENCH_CHILD;
  const suite = await import(suitePath);
  const rows = await suite.run({ cores: cpus().length, quick });
  process.send?.({ rows });
  process.exit(0);
}

const suites = readdirSync(join(here, 'suites'))
  .filter((file) => file.endsWith('.mjs'))
  .filter((file) => wanted.length === 0 || wanted.some((name) => file.includes(name)))
  .sort();

const results = [];
for (const file of suites) {
  const suitePath = join(here, 'suites', file);
  process.stderr.write(`bench: running ${file}\n`);
  const rows = await new Promise((resolve) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), ...arguments_], {
      env: { ...process.env, DCGAN_BENCH_CHILD: suitePath },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let received = [];
    child.on('message', (message) => {
      received = message.rows ?? [];
    });
    child.on('exit', (code) => {
      if (code !== 0) received.push({ suite: file, name: 'suite failed', value: null, unit: '', note: `exit ${code}` });
      resolve(received);
    });
  });
  results.push(...rows);
}

const header = ['suite', 'name', 'value', 'unit', 'target', 'note'];
const table = results.map((row) => [
  row.suite ?? '',
  row.name ?? '',
  row.value === null || row.value === undefined
    ? 'n/a'
    : typeof row.value === 'number'
      ? formatNumber(row.value)
      : String(row.value),
  row.unit ?? '',
  row.target ?? '',
  row.note ?? '',
]);
const widths = header.map((title, column) => Math.max(title.length, ...table.map((row) => String(row[column]).length)));
const line = (cells) => `| ${cells.map((cell, column) => String(cell).padEnd(widths[column])).join(' | ')} |`;
console.log(
  `cores: ${cpus().length} (${cpus()[0]?.model ?? 'unknown'}), memory: ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}`,
);
console.log(line(header));
console.log(line(widths.map((width) => '-'.repeat(width))));
for (const row of table) console.log(line(row));

const outputPath = join(here, 'results.json');
writeFileSync(
  outputPath,
  `${JSON.stringify({ date: new Date().toISOString(), cores: cpus().length, cpu: cpus()[0]?.model, node: process.version, quick, results }, null, 2)}\n`,
);
console.log(`wrote ${outputPath}`);

function formatNumber(value) {
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 1) return value.toFixed(2);
  return value.toPrecision(3);
}
