import { defineConfig } from 'tsup';

export default defineConfig({
  // dcgan-train-faces (cli) and dcgan-faces (build-faces), the dataset builder of @dcgan/faces.
  entry: { cli: 'src/cli.ts', 'build-faces': 'src/builder/cli.ts' },
  format: ['esm'],
  dts: false,
  clean: true,
  sourcemap: false,
  target: 'es2022',
  platform: 'node',
  banner: { js: '#!/usr/bin/env node' },
  external: [/^@tensorflow\//, /^@dcgan\//, 'sharp', '@vladmandic/face-api'],
});
