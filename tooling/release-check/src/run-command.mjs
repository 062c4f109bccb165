// @ts-check
import { spawn } from 'node:child_process';

/**
 * @typedef {object} CommandResult
 * @property {number | null} code exit code, null when killed
 * @property {string} output stdout and stderr interleaved, in arrival order
 * @property {string} stdout
 * @property {boolean} timedOut
 * @property {number} durationMilliseconds
 */

/**
 * @typedef {object} RunCommandOptions
 * @property {string} cwd working directory
 * @property {NodeJS.ProcessEnv} [env] full environment; defaults to this process's
 * @property {number} [timeoutMilliseconds] kill the whole process group after this long. @default 300000
 */

/** Every process group this run started and has not seen exit, so an interrupt can end them all. */
const runningGroups = new Set();

/**
 * Runs a command in its own process group and collects its output. Never throws for a non-zero exit:
 * callers decide what a failure means and report it with the output.
 *
 * @example
 * const result = await runCommand('npm', ['pack'], { cwd: directory });
 * if (result.code !== 0) console.log(tail(result.output));
 *
 * @param {string} command
 * @param {readonly string[]} commandArguments
 * @param {RunCommandOptions} options
 * @returns {Promise<CommandResult>}
 */
export function runCommand(command, commandArguments, options) {
  const { cwd, env = process.env, timeoutMilliseconds = 300_000 } = options;
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, commandArguments, {
      cwd,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let stdout = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      output += chunk;
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    if (child.pid !== undefined) runningGroups.add(child.pid);
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid, 'SIGKILL');
    }, timeoutMilliseconds);
    const finish = (/** @type {number | null} */ code, /** @type {string} */ extra = '') => {
      clearTimeout(timer);
      if (child.pid !== undefined) runningGroups.delete(child.pid);
      resolve({
        code,
        output: output + extra + (timedOut ? `\n[timed out after ${timeoutMilliseconds} ms]` : ''),
        stdout,
        timedOut,
        durationMilliseconds: Date.now() - started,
      });
    };
    child.on('error', (error) => finish(null, `\n[could not start \`${command}\`: ${error.message}]`));
    child.on('close', (code) => finish(code));
  });
}

/**
 * Sends a signal to a whole process group (the command and everything it started).
 * @param {number | undefined} processId
 * @param {NodeJS.Signals} signal
 */
export function killGroup(processId, signal) {
  if (processId === undefined) return;
  try {
    process.kill(-processId, signal);
  } catch {
    // Already gone.
  }
}

/**
 * Registers a long-running child (Verdaccio) so `killAllRunning` ends it too.
 * @param {number | undefined} processId
 */
export function trackProcessGroup(processId) {
  if (processId !== undefined) runningGroups.add(processId);
}

/** @param {number | undefined} processId */
export function untrackProcessGroup(processId) {
  if (processId !== undefined) runningGroups.delete(processId);
}

/** Ends every command this run started that is still running (used on interrupt and on exit). */
export function killAllRunning() {
  for (const processId of runningGroups) killGroup(processId, 'SIGKILL');
  runningGroups.clear();
}

/**
 * The last lines of a command's output, for a failure message.
 * @param {string} text
 * @param {number} [lineCount] @default 25
 */
export function tail(text, lineCount = 25) {
  const lines = text.trimEnd().split('\n');
  return lines.slice(-lineCount).join('\n');
}
