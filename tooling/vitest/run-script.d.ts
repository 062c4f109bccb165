import type { NodeChildOptions, NodeChildResult } from './node-child';

export type ScriptResult = NodeChildResult;

/**
 * Runs a Node script (a built CLI) in its own process, with no timeout unless one is given, and resolves with its
 * exit code, signal and output.
 *
 * @example const { code, stderr } = await runScript(cli, ['--version']);
 */
export function runScript(script: string, argv?: readonly string[], options?: NodeChildOptions): Promise<ScriptResult>;
