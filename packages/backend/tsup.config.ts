import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: false,
  target: 'es2022',
  platform: 'node',
  // import.meta.url in the CJS build (the wasm worker thread resolves tfjs relative to this package).
  shims: true,
  external: [/^@tensorflow\//],
});
