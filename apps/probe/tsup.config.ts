import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: { cli: 'src/cli.ts' },
    format: ['esm'],
    dts: false,
    clean: true,
    sourcemap: false,
    target: 'es2022',
    platform: 'node',
    banner: { js: '#!/usr/bin/env node' },
    external: [/^@tensorflow\//, /^@dcgan\//, 'mnist'],
  },
  {
    // Used by apps/probe-cifar10 and apps/probe-svhn, which are this command with the paper's settings.
    entry: { 'run-probe-command': 'src/run-probe-command.ts' },
    format: ['esm'],
    dts: true,
    clean: false,
    sourcemap: false,
    target: 'es2022',
    platform: 'node',
    external: [/^@tensorflow\//, /^@dcgan\//, 'mnist'],
  },
]);
