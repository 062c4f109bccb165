import { runNode } from './node-child.js';

/** Runs a Node script (a built CLI) in its own process, with no timeout, and resolves with its exit code, signal and output. */
export function runScript(script, argv = [], options = {}) {
  return runNode([script, ...argv], { timeoutMilliseconds: null, ...options });
}
