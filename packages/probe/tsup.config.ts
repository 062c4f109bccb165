import { defineConfig } from 'tsup';

export default defineConfig({
  // `svm` is platform-neutral (no fs, no tfjs): the solver alone, for browsers or other pipelines.
  entry: { index: 'src/index.ts', svm: 'src/svm.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  splitting: true,
  sourcemap: false,
  target: 'es2022',
  platform: 'node',
  external: [/^@tensorflow\//, /^@dcgan\//, /^node:/, 'mnist'],
});
