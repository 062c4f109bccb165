import { defineConfig } from 'tsup';

export default defineConfig({
  // The worker thread is its own entry: dist/jpeg-worker.js (ES module) and dist/jpeg-worker.cjs, which the pool
  // starts from the file next to its own module.
  entry: { index: 'src/index.ts', 'jpeg-worker': 'src/worker/jpeg-worker.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts' } },
  clean: true,
  sourcemap: false,
  target: 'es2022',
  platform: 'node',
  // import.meta.url in the CommonJS build (the pool finds the worker next to its module).
  shims: true,
});
