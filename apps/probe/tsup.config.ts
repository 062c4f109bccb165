import { defineConfig } from 'tsup';

// `dcgan-probe` and its two presets with the paper's settings (section 5.1 CIFAR-10, 5.2 SVHN).
export default defineConfig({
  entry: { cli: 'src/cli.ts', 'probe-cifar10': 'src/presets/cifar10-cli.ts', 'probe-svhn': 'src/presets/svhn-cli.ts' },
  format: ['esm'],
  dts: false,
  clean: true,
  sourcemap: false,
  target: 'es2022',
  platform: 'node',
  banner: { js: '#!/usr/bin/env node' },
  external: [/^@tensorflow\//, /^@dcgan\//, 'mnist'],
});
