// @ts-check
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listWorkspacePackages, readWorkspaceGlobs } from './discover-packages.mjs';
import { runCommand, tail } from './run-command.mjs';

/**
 * @typedef {object} PlannedRelease
 * @property {string} name
 * @property {'major' | 'minor' | 'patch' | 'none'} type
 * @property {string} oldVersion
 * @property {string} newVersion
 * @property {string[]} changesets ids of the changesets that ask for it (empty for a dependent bump)
 */

/**
 * @typedef {object} VersionOutcome
 * @property {PlannedRelease[]} releases what `changeset status` planned
 * @property {Map<string, { before: string, after: string, isPrivate: boolean }>} versions every workspace package
 * @property {string[]} problems where `changeset version` did not do what was planned
 * @property {string} output
 */

/**
 * The packages a set of changesets names (their front matter: `'@dcgan/core': minor`), `none` bumps left out.
 * @param {readonly string[]} changesetTexts
 * @returns {Set<string>}
 */
export function namedInChangesets(changesetTexts) {
  const names = new Set();
  for (const text of changesetTexts) {
    const frontMatter = /^---\r?\n([\s\S]*?)\r?\n---/.exec(text)?.[1] ?? '';
    for (const line of frontMatter.split('\n')) {
      const entry = /^\s*['"]?([^'":\s]+)['"]?\s*:\s*(major|minor|patch|none)\s*$/.exec(line);
      if (entry?.[1] !== undefined && entry[2] !== 'none') names.add(entry[1]);
    }
  }
  return names;
}

/**
 * What our config promises, worked out from the manifests without changesets' own planner: the packages
 * the changesets name, plus, transitively, every workspace package that depends on one of them
 * (dependencies, optional or peer; not devDependencies), since `updateInternalDependencies: patch`
 * bumps dependents on any release of a dependency.
 * @param {readonly { name: string, manifest: Record<string, any> }[]} packages
 * @param {ReadonlySet<string>} named
 * @returns {Set<string>}
 */
export function expectedReleases(packages, named) {
  const expected = new Set([...named].filter((name) => packages.some((item) => item.name === name)));
  let grew = true;
  while (grew) {
    grew = false;
    for (const item of packages) {
      if (expected.has(item.name)) continue;
      const dependencies = ['dependencies', 'optionalDependencies', 'peerDependencies'].flatMap((field) =>
        Object.keys(item.manifest[field] ?? {}),
      );
      if (dependencies.some((dependency) => expected.has(dependency))) {
        expected.add(item.name);
        grew = true;
      }
    }
  }
  return expected;
}

/** @param {string} root */
function readVersions(root) {
  const { packages } = listWorkspacePackages(root, readWorkspaceGlobs(root));
  return new Map(packages.map((workspacePackage) => [workspacePackage.name, workspacePackage]));
}

/**
 * Runs `changeset status` (the plan) and `changeset version` (what `pnpm version-packages` runs) in the
 * release copy, then checks the result against the plan: exactly the planned packages changed version,
 * each to its planned version, each with a CHANGELOG entry, and the pending changesets were consumed.
 *
 * @param {string} copyRoot
 * @param {string} changesetBin path to @changesets/cli's bin.js
 * @param {NodeJS.ProcessEnv} environment
 * @returns {Promise<VersionOutcome>}
 */
export async function versionPackages(copyRoot, changesetBin, environment) {
  const before = readVersions(copyRoot);
  const changesetDirectory = join(copyRoot, '.changeset');
  const pending = readdirSync(changesetDirectory).filter((file) => file.endsWith('.md') && file !== 'README.md');
  const expected = expectedReleases(
    [...before.values()],
    namedInChangesets(pending.map((file) => readFileSync(join(changesetDirectory, file), 'utf8'))),
  );
  const planFile = join(copyRoot, '.release-plan.json');
  const status = await runCommand(process.execPath, [changesetBin, 'status', `--output=${planFile}`], {
    cwd: copyRoot,
    env: environment,
    timeoutMilliseconds: 120_000,
  });
  if (status.code !== 0 || !existsSync(planFile)) {
    throw new Error(`\`changeset status\` failed:\n${tail(status.output)}`);
  }
  const plan = JSON.parse(readFileSync(planFile, 'utf8'));
  /** @type {PlannedRelease[]} */
  const releases = plan.releases ?? [];

  const version = await runCommand(process.execPath, [changesetBin, 'version'], {
    cwd: copyRoot,
    env: environment,
    timeoutMilliseconds: 120_000,
  });
  if (version.code !== 0) throw new Error(`\`changeset version\` failed:\n${tail(version.output)}`);

  const after = readVersions(copyRoot);
  const problems = [];
  /** @type {VersionOutcome['versions']} */
  const versions = new Map();
  for (const [name, previous] of before) {
    const current = after.get(name);
    versions.set(name, {
      before: previous.version,
      after: current?.version ?? '(gone)',
      isPrivate: previous.isPrivate,
    });
    const planned = releases.find((release) => release.name === name && release.type !== 'none');
    if (planned === undefined) {
      if (current?.version !== previous.version) {
        problems.push(`${name} changed version ${previous.version} -> ${current?.version} without a planned release`);
      }
      continue;
    }
    if (current?.version !== planned.newVersion) {
      problems.push(`${name}: planned ${planned.newVersion}, \`changeset version\` wrote ${current?.version}`);
    }
    const changelogPath = join(copyRoot, previous.relativeDirectory, 'CHANGELOG.md');
    const changelog = existsSync(changelogPath) ? readFileSync(changelogPath, 'utf8') : '';
    if (!changelog.includes(`## ${planned.newVersion}`)) {
      problems.push(`${name}: ${previous.relativeDirectory}/CHANGELOG.md has no "## ${planned.newVersion}" entry`);
    }
  }
  const changed = [...versions].filter(([, item]) => item.before !== item.after).map(([name]) => name);
  for (const name of changed) {
    if (!expected.has(name))
      problems.push(`${name} was bumped but neither a changeset names it nor does it depend on a released package`);
  }
  for (const name of expected) {
    if (!changed.includes(name))
      problems.push(
        `${name} should have been bumped (named in a changeset, or depends on a released package) but was not`,
      );
  }
  const leftOver = readdirSync(changesetDirectory).filter((file) => file.endsWith('.md') && file !== 'README.md');
  if (leftOver.length > 0) problems.push(`changesets not consumed by \`changeset version\`: ${leftOver.join(', ')}`);
  return { releases, versions, problems, output: version.output };
}

/**
 * Runs `changeset publish` (what `pnpm release` runs after the build) in the release copy. The
 * environment must point the dcgan scope at the local registry and carry its token.
 * @param {string} copyRoot
 * @param {string} changesetBin
 * @param {NodeJS.ProcessEnv} environment
 */
export async function publishPackages(copyRoot, changesetBin, environment) {
  return runCommand(process.execPath, [changesetBin, 'publish'], {
    cwd: copyRoot,
    env: environment,
    timeoutMilliseconds: 300_000,
  });
}

/**
 * The versions of `name` a registry holds (empty when it has none).
 * @param {string} registryUrl
 * @param {string} name
 * @returns {Promise<string[]>}
 */
export async function publishedVersions(registryUrl, name) {
  return Object.keys((await readPackument(registryUrl, name))?.versions ?? {});
}

/**
 * A package's document on a registry (its versions, their tarballs, its dist-tags); undefined when the
 * registry has no such package.
 * @param {string} registryUrl
 * @param {string} name
 * @returns {Promise<{ versions?: Record<string, any>, 'dist-tags'?: Record<string, string> } | undefined>}
 */
export async function readPackument(registryUrl, name) {
  const response = await fetch(new URL(name.replace('/', '%2f'), registryUrl));
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`GET ${name} from ${registryUrl}: HTTP ${response.status}`);
  return /** @type {any} */ (await response.json());
}

/** The dist-tag snapshot releases go out under (`npm install @dcgan/core@snapshot`). */
export const snapshotTag = 'snapshot';

/**
 * The changesets commands of a snapshot release, as the root `release:snapshot` script runs them
 * (a test holds the script to these): versions like `0.2.0-snapshot-20261206101500`, published under
 * the `snapshot` dist-tag so `latest` stays where it is, and no git tags.
 */
export const snapshotVersionArguments = ['version', '--snapshot', snapshotTag];
export const snapshotPublishArguments = ['publish', '--tag', snapshotTag, '--no-git-tag'];

/** Name of the changeset the check adds so that the snapshot path runs even when none is pending. */
export const snapshotChangesetFile = 'release-check-snapshot.md';

/**
 * Is `version` a snapshot version of this repository's config (`useCalculatedVersion`): the next
 * release's version, then `-snapshot-` and a 14-digit UTC date-time.
 * @param {string} version
 */
export function isSnapshotVersion(version) {
  return new RegExp(`^\\d+\\.\\d+\\.\\d+-${snapshotTag}-\\d{14}$`).test(version);
}

/**
 * `changeset version --snapshot` in a second release copy. It first adds a patch changeset naming
 * `packages`, so that every package checked gets a snapshot version whatever is pending (right after a
 * release nothing is). Checks that exactly the expected packages (those, what pending changesets name,
 * and their dependents) got snapshot versions and the changesets were consumed.
 * @param {string} copyRoot
 * @param {string} changesetBin
 * @param {NodeJS.ProcessEnv} environment
 * @param {readonly string[]} packages
 * @returns {Promise<{ versions: Map<string, string>, problems: string[], output: string }>}
 */
export async function versionSnapshot(copyRoot, changesetBin, environment, packages) {
  const changesetDirectory = join(copyRoot, '.changeset');
  writeFileSync(
    join(changesetDirectory, snapshotChangesetFile),
    `---\n${packages.map((name) => `'${name}': patch`).join('\n')}\n---\n\nrelease-check: a snapshot of every package it checks.\n`,
  );
  const before = readVersions(copyRoot);
  const pending = readdirSync(changesetDirectory).filter((file) => file.endsWith('.md') && file !== 'README.md');
  const expected = expectedReleases(
    [...before.values()],
    namedInChangesets(pending.map((file) => readFileSync(join(changesetDirectory, file), 'utf8'))),
  );
  const result = await runCommand(process.execPath, [changesetBin, ...snapshotVersionArguments], {
    cwd: copyRoot,
    env: environment,
    timeoutMilliseconds: 120_000,
  });
  if (result.code !== 0)
    throw new Error(`\`changeset ${snapshotVersionArguments.join(' ')}\` failed:\n${tail(result.output)}`);
  const after = readVersions(copyRoot);
  /** @type {Map<string, string>} */
  const versions = new Map();
  const problems = [];
  for (const [name, previous] of before) {
    const current = after.get(name)?.version ?? '(gone)';
    if (current === previous.version) {
      if (expected.has(name)) problems.push(`${name} should have got a snapshot version but stayed ${current}`);
      continue;
    }
    if (!expected.has(name))
      problems.push(`${name} got snapshot version ${current} but no changeset names it or a dependency`);
    if (!isSnapshotVersion(current))
      problems.push(`${name}: \`changeset version --snapshot\` wrote ${current}, not a ${snapshotTag} version`);
    if (!previous.isPrivate) versions.set(name, current);
  }
  const leftOver = readdirSync(changesetDirectory).filter((file) => file.endsWith('.md') && file !== 'README.md');
  if (leftOver.length > 0) problems.push(`changesets not consumed by the snapshot version: ${leftOver.join(', ')}`);
  return { versions, problems, output: result.output };
}

/**
 * `changeset publish --tag snapshot --no-git-tag` in the snapshot copy (to the local registry).
 * @param {string} copyRoot
 * @param {string} changesetBin
 * @param {NodeJS.ProcessEnv} environment
 */
export async function publishSnapshot(copyRoot, changesetBin, environment) {
  return runCommand(process.execPath, [changesetBin, ...snapshotPublishArguments], {
    cwd: copyRoot,
    env: environment,
    timeoutMilliseconds: 300_000,
  });
}

/**
 * The dist-tags a registry holds for `name` (`{}` when it has none).
 * @param {string} registryUrl
 * @param {string} name
 * @returns {Promise<Record<string, string>>}
 */
export async function distTags(registryUrl, name) {
  return (await readPackument(registryUrl, name))?.['dist-tags'] ?? {};
}

/**
 * The git tags of a repository (the release copy's: `changeset publish` tags each package it publishes).
 * @param {string} directory
 * @returns {Promise<string[]>}
 */
export async function gitTags(directory) {
  const result = await runCommand('git', ['tag', '--list'], { cwd: directory, timeoutMilliseconds: 30_000 });
  if (result.code !== 0) throw new Error(`git tag --list failed in ${directory}:\n${tail(result.output)}`);
  return result.stdout.split('\n').filter((line) => line.length > 0);
}
