import { defineConfig } from 'vitest/config';

/**
 * Shared vitest settings. tfjs work is CPU heavy and this project runs on small machines, so tests run
 * in forked processes (one tfjs engine each) with generous timeouts; speed targets live in `pnpm bench`.
 */
export function createConfig(overrides = {}) {
  return defineConfig({
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      pool: 'forks',
      testTimeout: 120_000,
      hookTimeout: 120_000,
      reporters: process.env.CI ? ['default'] : ['default'],
      ...overrides,
    },
  });
}

export default createConfig();
