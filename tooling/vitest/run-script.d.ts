export interface ScriptResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a Node script (a built CLI) in its own process without blocking the test worker (vitest's RPC times out
 * on a long spawnSync) and resolves with its exit code, signal and output.
 *
 * @example const { code, stderr } = await runScript(cli, ['--version']);
 */
export function runScript(
  script: string,
  argv?: readonly string[],
  options?: { readonly environment?: Readonly<Record<string, string>>; readonly cwd?: string },
): Promise<ScriptResult>;
