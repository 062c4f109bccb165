import { spawn } from 'node:child_process';

/**
 * Runs `node ...nodeArguments` in a fresh process (without blocking the test worker: vitest's RPC times out on a
 * long spawnSync) and collects its output. With a timeout, `code` is null when it had not exited in time (it is
 * then killed): what a test of "the process exits by itself" checks for.
 */
export function runNode(nodeArguments, { timeoutMilliseconds = 20_000, cwd, environment } = {}) {
  const env = environment === undefined ? undefined : { ...process.env, ...environment };
  const child = spawn(process.execPath, nodeArguments, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const timer =
      timeoutMilliseconds === null
        ? undefined
        : setTimeout(() => {
            child.kill();
            resolve({ code: null, signal: null, stdout, stderr });
          }, timeoutMilliseconds);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
