// vitest globalSetup: builds the package (tsup) when dist/ is missing or older than a file in src/, so that the
// worker the pool starts and the built package the child-process tests load are the code under test. turbo's
// `test` task builds first, so under `pnpm test` this finds dist/ fresh and does nothing.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const builtFiles = ['index.js', 'index.cjs', 'index.d.ts', 'jpeg-worker.js', 'jpeg-worker.cjs'].map((name) =>
  join(packageRoot, 'dist', name),
);
const inputs = [join(packageRoot, 'package.json'), join(packageRoot, 'tsup.config.ts')];

function newestSource(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (!entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

export default function setup(): void {
  const newestInput = Math.max(newestSource(join(packageRoot, 'src')), ...inputs.map((path) => statSync(path).mtimeMs));
  const fresh = builtFiles.every((path) => existsSync(path) && statSync(path).mtimeMs >= newestInput);
  if (fresh) return;
  execFileSync(join(packageRoot, 'node_modules', '.bin', 'tsup'), { cwd: packageRoot, stdio: 'inherit' });
}
