import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

const built = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'dist', 'index.js');

function runNode(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the wasm kernel worker thread (built package)', () => {
  // Eval'd worker code runs as an ES module under --input-type=module, where `require` does not exist.
  it.runIf(existsSync(built)).each([
    ['an ES module process (--input-type=module)', ['--input-type=module', '-e']],
    ['a CommonJS process', ['-e']],
  ])('starts in %s', async (_, flags) => {
    const script = flags.includes('--input-type=module')
      ? `import { initBackend } from ${JSON.stringify(built)};
const selection = await initBackend({ prefer: 'wasm', wasmThreads: 2 });
console.log(JSON.stringify({ name: selection.name, warnings: selection.warnings }));`
      : `require(${JSON.stringify(built.replace(/\.js$/, '.cjs'))}).initBackend({ prefer: 'wasm', wasmThreads: 2 }).then((selection) =>
  console.log(JSON.stringify({ name: selection.name, warnings: selection.warnings })));`;
    const result = await runNode([...flags, script]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout.trim().split('\n').at(-1)!)).toEqual({ name: 'wasm', warnings: [] });
  });
});
