import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', basic: 'src/basic.ts' },
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: false,
  target: 'es2022',
  platform: 'node',
  external: [/^@tensorflow\//, /^@dcgan\//],
});
