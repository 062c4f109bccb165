import type { UserConfig } from 'vitest/config';

/** Shared vitest settings; `overrides` are merged into `test`. */
export function createConfig(overrides?: NonNullable<UserConfig['test']>): UserConfig;
declare const config: UserConfig;
export default config;
