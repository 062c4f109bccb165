import { defineConfig } from 'tsup';

// The `dcgan-train` bin (its shebang comes from src/cli.ts).
export default defineConfig({
  entry: { cli: 'src/cli.ts' },
  format: ['esm'],
  dts: false,
  clean: true,
  sourcemap: false,
  target: 'es2022',
  platform: 'node',
  external: [/^@tensorflow\//, /^@dcgan\//, 'sharp', 'mnist'],
});
