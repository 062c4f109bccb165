import type { LoadedModels } from '../load-models.js';

/** What every command gets. */
export interface CommandContext {
  readonly models: LoadedModels;
  /** Output folder (exists). */
  readonly out: string;
  readonly zoom: number;
  readonly seed: number;
  /** One line for the user. */
  readonly log: (line: string) => void;
}

/** What a command wrote. */
export interface CommandResult {
  /** Files written, in order. */
  readonly files: readonly string[];
  /** Next steps for the user (e.g. "pick samples, then run ..."), if any. */
  readonly hint?: string;
}
