import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: false,
  target: 'es2022',
  // Runs in browsers (apps/explorer) as well as Node: no Node built-ins in this package.
  platform: 'neutral',
  external: [/^@tensorflow\//, /^@dcgan\//],
});
