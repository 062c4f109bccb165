import { spawn } from 'node:child_process';

/**
 * Runs a Node script (a built CLI) in its own process without blocking the test worker (vitest's RPC times out
 * on a long spawnSync) and resolves with its exit code, signal and output.
 */
export function runScript(script, argv = [], { environment = {}, cwd } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...argv], { cwd, env: { ...process.env, ...environment }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
