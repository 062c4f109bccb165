// Test helper: writes variants of a fixture into a temporary folder and reports how opening/reading them ends.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { fuzzBytes } from './fixtures';

export interface Scratch {
  readonly directory: string;
  write(name: string, bytes: Uint8Array): Promise<string>;
  remove(): Promise<void>;
}

export async function createScratch(prefix: string): Promise<Scratch> {
  const directory = await mkdtemp(join(tmpdir(), `dcgan-${prefix}-`));
  return {
    directory,
    async write(name, bytes) {
      const path = join(directory, name);
      await writeFile(path, bytes);
      return path;
    },
    remove: () => rm(directory, { recursive: true, force: true }),
  };
}

/** Runs `attempt` and returns what it threw (or undefined). */
export async function failureOf(attempt: () => Promise<unknown>): Promise<unknown> {
  try {
    await attempt();
    return undefined;
  } catch (error) {
    return error;
  }
}

/**
 * Fuzz inputs from a valid file: every truncation point on a grid, random byte flips (past `protectedPrefix`), and
 * pure random bytes.
 */
export function* fuzzVariants(
  original: Uint8Array,
  protectedPrefix: number,
  count = 90,
): Generator<{ name: string; bytes: Uint8Array }> {
  for (let trial = 0; trial < count; trial += 1) {
    if (trial < count / 3) {
      yield {
        name: `truncated-${trial}`,
        bytes: original.subarray(0, Math.floor((original.length * trial) / (count / 3))),
      };
    } else if (trial < (2 * count) / 3) {
      const bytes = original.slice();
      const noise = fuzzBytes(trial + 1, 40);
      for (let flip = 0; flip < 10; flip += 1) {
        const span = Math.max(1, bytes.length - protectedPrefix);
        const position =
          protectedPrefix + (((noise[flip * 4]! << 16) | (noise[flip * 4 + 1]! << 8) | noise[flip * 4 + 2]!) % span);
        if (position < bytes.length) bytes[position] = noise[flip * 4 + 3]!;
      }
      yield { name: `flipped-${trial}`, bytes };
    } else {
      yield { name: `random-${trial}`, bytes: fuzzBytes(trial + 1, 1 + ((trial * 7919) % 5000)) };
    }
  }
}
