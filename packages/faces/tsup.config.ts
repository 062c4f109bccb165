import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: false,
    target: 'es2022',
    platform: 'node',
    shims: true,
    external: [/^@tensorflow\//, /^@dcgan\//, '@vladmandic/face-api', 'sharp'],
  },
  {
    // The bin: ESM only, with its shebang.
    entry: { cli: 'src/cli/cli.ts' },
    format: ['esm'],
    dts: false,
    clean: false,
    sourcemap: false,
    target: 'es2022',
    platform: 'node',
    external: [/^@tensorflow\//, /^@dcgan\//, '@vladmandic/face-api', 'sharp'],
  },
]);
