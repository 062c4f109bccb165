import { defineConfig } from 'tsup';

// Two entries, bundled separately (no shared chunks): `cli` is the `dcgan-train` bin (its shebang comes from
// src/cli.ts), `paper-run` the small library the paper apps use to run it (`@dcgan/train-app/paper-run`).
export default defineConfig({
  entry: { cli: 'src/cli.ts', 'paper-run': 'src/paper-run.ts' },
  format: ['esm'],
  dts: { entry: { 'paper-run': 'src/paper-run.ts' } },
  splitting: false,
  clean: true,
  sourcemap: false,
  target: 'es2022',
  platform: 'node',
  external: [/^@tensorflow\//, /^@dcgan\//, 'sharp', 'mnist'],
});
