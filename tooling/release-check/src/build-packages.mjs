// @ts-check
import { join } from 'node:path';
import { runCommand, tail } from './run-command.mjs';

/**
 * Builds one package and the workspace packages it depends on with turbo (cached builds are reused),
 * so a failure is attributed to the package that was asked for.
 *
 * @example
 * const result = await buildPackage(root, '@dcgan/core', environment);
 * if (!result.ok) console.log(result.detail);
 *
 * @param {string} root
 * @param {string} packageName
 * @param {NodeJS.ProcessEnv} environment
 * @returns {Promise<{ ok: boolean, detail: string, seconds: number }>}
 */
export async function buildPackage(root, packageName, environment) {
  const result = await runCommand(
    join(root, 'node_modules', '.bin', 'turbo'),
    ['run', 'build', `--filter=${packageName}`, '--output-logs=errors-only', '--log-prefix=task'],
    { cwd: root, env: environment, timeoutMilliseconds: 600_000 },
  );
  const seconds = Math.round(result.durationMilliseconds / 100) / 10;
  return result.code === 0
    ? { ok: true, detail: '', seconds }
    : {
        ok: false,
        detail: `turbo run build --filter=${packageName} (exit ${result.code}):\n${tail(result.output, 40)}`,
        seconds,
      };
}
