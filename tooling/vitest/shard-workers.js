import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

// vite-node ships with vitest: it runs a TypeScript worker script in a child process the way vitest runs tests.
const fromHere = createRequire(import.meta.url);
const fromVitest = createRequire(fromHere.resolve('vitest/package.json'));
const viteNode = join(dirname(fromVitest.resolve('vite-node/package.json')), 'vite-node.mjs');

/**
 * Starts `script` (TypeScript) as shard `index` of `count` in its own process, with the environment a Kubernetes
 * Indexed Job gives a pod (JOB_COMPLETION_INDEX, and JOB_COMPLETIONS as the manifests set it) plus `environment`.
 */
export function startShardWorker(script, { index, count, environment = {}, cwd = process.cwd() }) {
  const child = spawn(process.execPath, [viteNode, script], {
    cwd,
    env: { ...process.env, ...environment, JOB_COMPLETION_INDEX: String(index), JOB_COMPLETIONS: String(count) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const done = new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ index, code, signal, stdout, stderr }));
  });
  return { child, done };
}

/** Runs shards `indices` (default all of `count`) of `script`, `parallel` at a time; rejects naming a failed shard. */
export async function runShardWorkers(script, { count, indices, environment = {}, cwd, parallel = 2 }) {
  const queue = [...(indices ?? Array.from({ length: count }, (_, index) => index))];
  const results = [];
  const lane = async () => {
    for (let index = queue.shift(); index !== undefined; index = queue.shift()) {
      const result = await startShardWorker(script, { index, count, environment, cwd }).done;
      if (result.code !== 0)
        throw new Error(
          `shard ${index}/${count} of ${script} exited with ${result.code ?? result.signal}:\n${result.stderr}`,
        );
      results.push(result);
    }
  };
  await Promise.all(Array.from({ length: parallel }, lane));
  return results.sort((a, b) => a.index - b.index);
}
