export interface NodeChildResult {
  /** The exit code; null when the process was killed (by the timeout, or by `signal`). */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface NodeChildOptions {
  /** Kill the process after this long and resolve with `code: null`; null: wait for it however long. @default 20000 */
  readonly timeoutMilliseconds?: number | null;
  readonly cwd?: string;
  /** Variables added to this process's environment. */
  readonly environment?: Readonly<Record<string, string>>;
}

/** Runs `node ...nodeArguments` in a fresh process; resolves when it exits or after the timeout (default 20 s). */
export function runNode(nodeArguments: readonly string[], options?: NodeChildOptions): Promise<NodeChildResult>;
