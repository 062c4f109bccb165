// @ts-check
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  distTags,
  gitTags,
  isSnapshotVersion,
  publishedVersions,
  publishSnapshot,
  snapshotTag,
  versionSnapshot,
} from './changesets-flow.mjs';
import { checkWithNpm } from './consumer-project.mjs';
import { createReleaseCopy } from './release-copy.mjs';
import { tail } from './run-command.mjs';

/** @typedef {import('./consumer-project.mjs').StepResult} StepResult */

/**
 * Gives a release copy the local registry for the dcgan scope and its publishing token.
 * @param {string} copyRoot
 * @param {{ url: string, token: string }} registry
 */
export function pointCopyAtRegistry(copyRoot, registry) {
  const host = new URL(registry.url).host;
  appendFileSync(
    join(copyRoot, '.npmrc'),
    `\n@dcgan:registry=${registry.url}\n//${host}/:_authToken=${registry.token}\n`,
  );
}

/**
 * The snapshot path of a release (`pnpm release:snapshot`, the release workflow's snapshot job), run
 * after the regular release went to the same local registry: a fresh copy of the workspace gets a patch
 * changeset naming every published package, `changeset version --snapshot`, then `changeset publish
 * --tag snapshot --no-git-tag`. Each package must then be on the registry at its snapshot version under
 * the `snapshot` dist-tag, with `latest` still at the regular release and no git tag for the snapshot;
 * and `consumerPackage@snapshot`, installed alone in an empty project, must run its README example (its
 * install line asking for `@dcgan` packages at `@snapshot`). `timings` says how long each part took.
 *
 * @param {object} options
 * @param {string} options.root the repository root
 * @param {string} options.directory an empty directory for the copy and the consumer project
 * @param {ReadonlyMap<string, string>} options.withheld packages that are not released, and why
 * @param {readonly { name: string, version: string }[]} options.published what the regular release published
 * @param {{ url: string, token: string }} options.registry
 * @param {string} options.changesetBin
 * @param {NodeJS.ProcessEnv} options.environment
 * @param {NodeJS.ProcessEnv} options.publishEnvironment
 * @param {string} options.consumerPackage the package installed by its dist-tag alone, e.g. `@dcgan/core`
 * @param {import('./consumer-project.mjs').ExampleFiles | string | undefined} options.consumerExample its README example
 * @param {boolean} options.consumerPlatformNeutral
 * @param {import('./consumer-project.mjs').ConsumerContext} options.context
 */
export async function checkSnapshotRelease(options) {
  const { registry, changesetBin } = options;
  /** @type {string[]} */
  const problems = [];
  /** @type {Map<string, StepResult>} */
  const steps = new Map();
  /** @type {StepResult | undefined} */
  let consumer;

  const started = Date.now();
  /** @type {string[]} */
  const timings = [];
  const lap = (/** @type {string} */ label) => timings.push(`${label} ${((Date.now() - started) / 1000).toFixed(0)} s`);
  const copyRoot = join(options.directory, 'snapshot-copy');
  mkdirSync(copyRoot, { recursive: true });
  await createReleaseCopy(options.root, copyRoot, options.withheld);
  pointCopyAtRegistry(copyRoot, registry);
  lap('copied');
  const versioned = await versionSnapshot(
    copyRoot,
    changesetBin,
    options.environment,
    options.published.map((item) => item.name),
  );
  problems.push(...versioned.problems.map((problem) => `snapshot: ${problem}`));
  lap('versioned');
  const publish = await publishSnapshot(copyRoot, changesetBin, options.publishEnvironment);
  lap('published');
  if (publish.code !== 0)
    problems.push(
      `snapshot: changeset publish --tag ${snapshotTag} exited ${publish.code}:\n${tail(publish.output, 20)}`,
    );
  const snapshotGitTags = (await gitTags(copyRoot)).filter((tag) => tag.includes(`-${snapshotTag}-`));

  for (const item of options.published) {
    const snapshotVersion = versioned.versions.get(item.name);
    if (snapshotVersion === undefined || !isSnapshotVersion(snapshotVersion)) {
      steps.set(item.name, {
        status: 'fail',
        detail: `no snapshot version (changeset version --snapshot wrote ${snapshotVersion ?? 'nothing'})`,
      });
      continue;
    }
    const [versions, tags] = await Promise.all([
      publishedVersions(registry.url, item.name),
      distTags(registry.url, item.name),
    ]);
    const itemProblems = [];
    if (!versions.includes(snapshotVersion))
      itemProblems.push(
        `${item.name}@${snapshotVersion} is not on the registry; changeset publish said:\n${tail(publish.output, 20)}`,
      );
    if (tags[snapshotTag] !== snapshotVersion)
      itemProblems.push(`dist-tag ${snapshotTag} is ${tags[snapshotTag] ?? 'missing'}, not ${snapshotVersion}`);
    if (tags.latest !== item.version)
      itemProblems.push(`dist-tag latest moved to ${tags.latest ?? 'nothing'} (the release is ${item.version})`);
    const tagged = snapshotGitTags.filter((tag) => tag.startsWith(`${item.name}@`));
    if (tagged.length > 0) itemProblems.push(`the snapshot publish made git tags: ${tagged.join(', ')}`);
    steps.set(
      item.name,
      itemProblems.length === 0
        ? {
            status: 'pass',
            detail: `${item.name}@${snapshotVersion} under ${snapshotTag}; latest still ${item.version}`,
          }
        : { status: 'fail', detail: itemProblems.join('\n') },
    );
  }

  const consumerVersion = versioned.versions.get(options.consumerPackage);
  if (
    steps.get(options.consumerPackage)?.status === 'pass' &&
    consumerVersion !== undefined &&
    options.consumerExample !== undefined
  ) {
    const result = await checkWithNpm({
      directory: join(options.directory, 'consumer'),
      packageName: options.consumerPackage,
      version: consumerVersion,
      distTag: snapshotTag,
      example: options.consumerExample,
      platformNeutral: options.consumerPlatformNeutral,
      // Its types and its CommonJS form were checked on the same files in the regular release's checks.
      exampleChecks: { typecheck: false, commonJs: false },
      context: options.context,
    });
    const order = /** @type {const} */ (['installAlone', 'tree', 'browserBundle', 'readmeInstall', 'esm']);
    const failed = order.find((key) => result[key].status === 'fail');
    consumer =
      failed === undefined && result.esm.status === 'pass'
        ? {
            status: 'pass',
            detail: `npm install ${options.consumerPackage}@${snapshotTag} -> ${consumerVersion}; README example ran:\n${result.esm.detail}`,
          }
        : {
            status: 'fail',
            detail: `${options.consumerPackage}@${snapshotTag} alone, step ${failed ?? 'esm'}:\n${result[failed ?? 'esm'].detail}`,
          };
    lap(`${options.consumerPackage}@${snapshotTag} checked`);
  } else if (options.published.some((item) => item.name === options.consumerPackage)) {
    consumer = { status: 'fail', detail: `${options.consumerPackage} has no ${snapshotTag} release to install` };
  }
  return { steps, consumer, problems, timings };
}
