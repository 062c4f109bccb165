import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', node: 'src/node.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  // One shared chunk for both entries (also in CommonJS), so `@dcgan/common/node` and `@dcgan/common` share
  // one DcganError class rather than two copies.
  splitting: true,
  sourcemap: false,
  target: 'es2022',
  platform: 'neutral',
  external: [/^node:/],
});
