export interface NodeChildResult {
  /** The exit code; null when the process had not exited in time (it was killed). */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node ...nodeArguments` in a fresh process; resolves when it exits or after the timeout (default 20 s). */
export function runNode(nodeArguments: readonly string[], options?: { readonly timeoutMilliseconds?: number; readonly cwd?: string }): Promise<NodeChildResult>;
