import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { cli: 'src/server/cli.ts', screenshot: 'src/server/screenshot.ts' },
  outDir: 'dist/server',
  format: ['esm'],
  dts: false,
  clean: true,
  sourcemap: false,
  target: 'es2022',
  platform: 'node',
  banner: { js: '#!/usr/bin/env node' },
  external: [/^@tensorflow\//, /^@dcgan\//, 'vite', 'playwright-core'],
});
