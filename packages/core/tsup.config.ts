import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', node: 'src/node.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  // One shared chunk for both entries (also in CommonJS), so `@dcgan/core/node` and `@dcgan/core` share
  // one Trainer class rather than two copies.
  splitting: true,
  sourcemap: false,
  target: 'es2022',
  platform: 'neutral',
  // import.meta.url in the CommonJS build of the ./node entry (the digits feature model's folder).
  shims: true,
  external: [/^@tensorflow\//, /^node:/],
});
