import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { runNode } from '@dcgan/vitest-config/node-child';
import { describe, expect, it } from 'vitest';

const built = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'dist', 'index.js');

describe('the threaded wasm build from the built package', () => {
  // The pthread workers are started from a file in the package; the process must still exit by itself.
  it.runIf(existsSync(built)).each([
    ['an ES module process (--input-type=module)', ['--input-type=module', '-e']],
    ['a CommonJS process', ['-e']],
  ])(
    'starts 3 threads in %s, computes, and lets the process exit',
    async (_, flags) => {
      const body = `const tf = selection.tf;
const y = tf.conv2d(tf.ones([2, 8, 8, 4]), tf.ones([3, 3, 4, 2]), 1, 'same').dataSync();
console.log(JSON.stringify({ name: selection.name, threads: selection.wasmThreads, warnings: selection.warnings, center: y[(3 * 8 + 3) * 2] }));`;
      const script = flags.includes('--input-type=module')
        ? `import { createRequire } from 'node:module';
import { initBackend } from ${JSON.stringify(built)};
const selection = { ...(await initBackend({ prefer: 'wasm', wasmThreads: 3 })), tf: createRequire(${JSON.stringify(built)})('@tensorflow/tfjs-core') };
${body}`
        : `require(${JSON.stringify(built.replace(/\.js$/, '.cjs'))}).initBackend({ prefer: 'wasm', wasmThreads: 3 }).then((found) => {
const selection = { ...found, tf: require(require.resolve('@tensorflow/tfjs-core', { paths: [${JSON.stringify(dirname(built))}] })) };
${body} });`;
      // Killed after 50 s (code null): the pthread workers kept the process alive.
      const result = await runNode([...flags, script], { timeoutMilliseconds: 50_000 });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      // A 3x3 'same' convolution of ones over 4 channels: 36 at an inner position.
      expect(JSON.parse(result.stdout.trim().split('\n').at(-1)!)).toEqual({
        name: 'wasm',
        threads: 3,
        warnings: [],
        center: 36,
      });
    },
    60_000,
  );
});
