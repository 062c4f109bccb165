import { spawn } from 'node:child_process';

/**
 * Runs `node ...nodeArguments` in a fresh process and collects its output. `code` is null when it had not exited
 * after `timeoutMilliseconds` (it is then killed): what a test of "the process exits by itself" checks for.
 */
export function runNode(nodeArguments, { timeoutMilliseconds = 20_000, cwd } = {}) {
  const child = spawn(process.execPath, nodeArguments, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      resolve({ code: null, stdout, stderr });
    }, timeoutMilliseconds);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
