#!/usr/bin/env node
// @ts-check
// `pnpm release:check`: proves that every public package releases through changesets and installs on its
// own from a real registry. Builds, copies the workspace, runs `changeset version` + `changeset publish`
// against a throwaway Verdaccio on 127.0.0.1, then installs each package alone into an empty project
// (npm), checks what came with it, type-checks and runs its README's first example as ESM and CommonJS,
// and runs every example once more in a pnpm project holding all of them. Then the snapshot path: another
// copy gets `changeset version --snapshot` and `changeset publish --tag snapshot --no-git-tag`, and
// `@dcgan/core@snapshot` installed alone runs its README example. Prints tarball sizes and a pass/fail
// table; exits 1 if anything failed. Verdaccio is stopped on every path out.
//
// Options: --only=@dcgan/core,@dcgan/backend   check only these packages
//          --skip-build                         use the dist/ folders as they are
//          --keep                               keep the temporary directory (printed) for inspection
//          --report=FILE                        also write the results as JSON
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  exitCodes,
  parseOptions as parseCommandLine,
  printVersionIfAsked,
  standardOptionsHelp,
  UsageError,
} from '@dcgan/cli/basic';
import { buildPackage } from './build-packages.mjs';
import { gitTags, publishedVersions, publishPackages, versionPackages } from './changesets-flow.mjs';
import { checkWithNpm, checkWithPnpm, readExample } from './consumer-project.mjs';
import { discoverPublicPackages, listWorkspacePackages, readWorkspaceGlobs } from './discover-packages.mjs';
import { downloadTarball, findContentProblems, runArethetypeswrong, runPublint } from './inspect-tarball.mjs';
import { platformNeutralPackages } from './installed-tree.mjs';
import { startLocalRegistry } from './local-registry.mjs';
import { formatBytes, formatTable, indent } from './report.mjs';
import { killAllRunning, runCommand, tail } from './run-command.mjs';
import { createReleaseCopy } from './release-copy.mjs';
import { checkSnapshotRelease, pointCopyAtRegistry } from './snapshot-release.mjs';

const help = `dcgan-release-check: publishes every public package to a throwaway local registry through changesets,
then installs each one alone into empty projects and runs its README's first example.

  --only=@dcgan/core,@dcgan/backend   check only these packages
  --skip-build                         use the dist/ folders as they are
  --keep                               keep the temporary directory (printed) for inspection
  --report=FILE                        also write the results as JSON
${standardOptionsHelp(39)}`;

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const options = parseOptions(process.argv.slice(2));

/** The package the snapshot path installs by its dist-tag alone (`npm install @dcgan/core@snapshot`). */
const snapshotConsumer = '@dcgan/core';

/** The whole check must fit in CI next to the tests; past this it stops and fails. */
const overallTimeoutMilliseconds = 25 * 60 * 1000;

/** @typedef {import('./consumer-project.mjs').StepResult} StepResult */

/**
 * @typedef {object} PackageReport
 * @property {string} name
 * @property {string} relativeDirectory
 * @property {string} version the version released (after `changeset version`)
 * @property {Record<string, StepResult>} steps
 * @property {{ packedBytes: number, unpackedBytes: number, fileCount: number } | undefined} tarball
 */

/**
 * The command line; `--help` and `--version` print and exit 0, a mistake exits 2 with one line.
 *
 * @param {string[]} commandArguments
 */
function parseOptions(commandArguments) {
  if (printVersionIfAsked(commandArguments)) process.exit(exitCodes.ok);
  try {
    const { values } = parseCommandLine(commandArguments, {
      only: { type: 'string' },
      'skip-build': { type: 'boolean' },
      keep: { type: 'boolean' },
      report: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help === true) {
      process.stdout.write(help);
      process.exit(exitCodes.ok);
    }
    return {
      only: values.only ? new Set(values.only.split(',').filter(Boolean)) : undefined,
      skipBuild: values['skip-build'] === true,
      keep: values.keep === true,
      report: values.report,
    };
  } catch (error) {
    if (!UsageError.isInstance(error)) throw error;
    process.stderr.write(`dcgan-release-check: error: ${error.message}\n`);
    process.exit(exitCodes.usage);
  }
}

/** @param {string} message */
function log(message) {
  process.stdout.write(`${message}\n`);
}

/** @param {string} title @param {number} started */
function phase(title, started) {
  log(`\n== ${title}  (${((Date.now() - started) / 1000).toFixed(0)} s)`);
}

/**
 * Finds the pinned pnpm's executable (through npx, which fetches it once into its cache), so later
 * calls run it directly: no network, and no dependence on which registry the caller points npm at.
 * @param {string} pnpmSpec e.g. `pnpm@10.34.9`
 */
async function locatePnpm(pnpmSpec) {
  const result = await runCommand('npx', ['-y', '-p', pnpmSpec, '-c', 'command -v pnpm'], {
    cwd: tmpdir(),
    timeoutMilliseconds: 180_000,
  });
  const path = result.stdout.trim().split('\n').at(-1) ?? '';
  if (result.code !== 0 || !path.startsWith('/'))
    throw new Error(`Could not locate ${pnpmSpec} through npx:\n${tail(result.output)}`);
  return path;
}

/**
 * An environment for npm, pnpm, changesets and node without the variables the calling package manager
 * set for its own script (`npm_config_*`, `pnpm_*`), which would leak into the consumers' installs.
 * The registry and cache settings the machine was given stay. `pnpm` resolves to a shim that runs the
 * pinned pnpm, since the machine has no global pnpm.
 * @param {string} binDirectory
 * @param {string} pnpmPath
 */
function cleanEnvironment(binDirectory, pnpmPath) {
  mkdirSync(binDirectory, { recursive: true });
  const shim = join(binDirectory, 'pnpm');
  writeFileSync(shim, `#!/bin/sh\nexec ${JSON.stringify(pnpmPath)} "$@"\n`);
  chmodSync(shim, 0o755);
  /** @type {NodeJS.ProcessEnv} */
  const environment = {};
  const kept = new Set([
    'npm_config_registry',
    'npm_config_cache',
    'npm_config_proxy',
    'npm_config_https_proxy',
    'npm_config_noproxy',
  ]);
  for (const [key, value] of Object.entries(process.env)) {
    const lower = key.toLowerCase();
    if ((lower.startsWith('npm_') || lower.startsWith('pnpm_')) && !kept.has(lower)) continue;
    if (key === 'NODE_OPTIONS' || key === 'INIT_CWD') continue;
    environment[key] = value;
  }
  environment.PATH = `${binDirectory}:${(process.env.PATH ?? '')
    .split(':')
    .filter((entry) => !entry.includes('node_modules/.bin'))
    .join(':')}`;
  environment.TURBO_TELEMETRY_DISABLED = '1';
  environment.DO_NOT_TRACK = '1';
  environment.NO_UPDATE_NOTIFIER = '1';
  // Plain text in logs: picocolors (changesets) and others turn colour on whenever CI is set.
  environment.NO_COLOR = '1';
  delete environment.FORCE_COLOR;
  environment.npm_config_update_notifier = 'false';
  return environment;
}

/**
 * @template T, R
 * @param {readonly T[]} items
 * @param {number} limit
 * @param {(item: T) => Promise<R>} work
 * @returns {Promise<R[]>}
 */
async function mapWithConcurrency(items, limit, work) {
  /** @type {R[]} */
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await work(/** @type {T} */ (items[index]));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** @param {StepResult | undefined} step */
function mark(step) {
  if (step === undefined) return '-';
  return step.status === 'pass' ? 'ok' : step.status === 'fail' ? 'FAIL' : '-';
}

async function main() {
  const started = Date.now();
  const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const pnpmSpec = String(rootManifest.packageManager ?? 'pnpm@10').split('+')[0] ?? 'pnpm@10';
  /** Every published package must name the repository the root package.json names (npm provenance checks it). */
  const repositoryUrl = String(rootManifest.repository?.url ?? '(the root package.json has no repository.url)');
  const temporary = mkdtempSync(join(tmpdir(), 'dcgan-release-check-'));
  // Also on Ctrl-C or the watchdog: the exit handlers stop Verdaccio, then this removes its storage.
  const removeTemporary = () => {
    if (options.keep) return;
    killAllRunning();
    rmSync(temporary, { recursive: true, force: true });
  };
  process.on('exit', removeTemporary);
  const environment = cleanEnvironment(join(temporary, 'bin'), await locatePnpm(pnpmSpec));
  const changesetBin = join(root, 'node_modules', '@changesets', 'cli', 'bin.js');
  log(`release-check: repository ${root}, temporary directory ${temporary}`);

  /** @type {Map<string, PackageReport>} */
  const reports = new Map();
  /** @type {string[]} */
  const flowProblems = [];
  /** @type {Awaited<ReturnType<typeof startLocalRegistry>> | undefined} */
  let registry;

  const watchdog = setTimeout(() => {
    log(`\nrelease-check: still running after ${overallTimeoutMilliseconds / 60_000} minutes; stopping.`);
    killAllRunning();
    process.exit(1); // the exit handlers stop Verdaccio
  }, overallTimeoutMilliseconds);
  watchdog.unref();

  try {
    // 1. Which packages.
    phase('Discover packages (packages/*/package.json without "private": true)', started);
    const discovered = discoverPublicPackages(root);
    for (const problem of discovered.problems) log(`  skipped ${problem.directory}: ${problem.problem}`);
    for (const privatePackage of discovered.privatePackages) log(`  skipped ${privatePackage.name}: private`);
    const selected = discovered.publicPackages.filter(
      (item) => options.only === undefined || options.only.has(item.name),
    );
    if (selected.length === 0) throw new Error('No public package to check.');
    for (const item of selected) {
      reports.set(item.name, {
        name: item.name,
        relativeDirectory: item.relativeDirectory,
        version: item.version,
        steps: {},
        tarball: undefined,
      });
      log(`  ${item.name}@${item.version} (${item.relativeDirectory})`);
    }
    const privateWorkspaceNames = new Set(
      listWorkspacePackages(root, readWorkspaceGlobs(root))
        .packages.filter((item) => item.isPrivate)
        .map((item) => item.name),
    );

    // 2. Build.
    /** @type {Map<string, string>} */
    const withheld = new Map();
    for (const item of discovered.publicPackages) {
      if (!reports.has(item.name)) withheld.set(item.name, 'not selected with --only');
    }
    phase(
      options.skipBuild ? 'Build (skipped: --skip-build)' : 'Build (turbo, each package with its dependencies)',
      started,
    );
    for (const item of selected) {
      const report = /** @type {PackageReport} */ (reports.get(item.name));
      if (options.skipBuild) {
        report.steps.build = { status: 'skip', detail: '--skip-build' };
        continue;
      }
      const build = await buildPackage(root, item.name, environment);
      report.steps.build = build.ok
        ? { status: 'pass', detail: `${build.seconds} s` }
        : { status: 'fail', detail: build.detail };
      log(`  ${item.name}: ${build.ok ? 'built' : 'BUILD FAILED'} (${build.seconds} s)`);
      if (!build.ok) withheld.set(item.name, 'build failed');
    }

    // 3. changeset version in a copy of the workspace.
    phase('changeset version (in a copy of the workspace; pending changesets are consumed there only)', started);
    const copyRoot = join(temporary, 'release-copy');
    mkdirSync(copyRoot);
    await createReleaseCopy(root, copyRoot, withheld);
    const versioned = await versionPackages(copyRoot, changesetBin, environment);
    const planRows = [...versioned.versions]
      .filter(([, versions]) => versions.before !== versions.after || !versions.isPrivate)
      .map(([name, versions]) => {
        const release = versioned.releases.find((item) => item.name === name);
        return [
          name,
          versions.isPrivate ? 'private' : withheld.has(name) ? `withheld: ${withheld.get(name)}` : 'public',
          versions.before,
          versions.after,
          release?.type ?? 'none',
          release ? (release.changesets.length > 0 ? release.changesets.join(', ') : '(dependent)') : '',
        ];
      });
    log(indent(formatTable(['package', 'kind', 'before', 'after', 'bump', 'changesets'], planRows), '  '));
    for (const problem of versioned.problems) {
      log(`  PROBLEM: ${problem}`);
      flowProblems.push(problem);
    }
    for (const report of reports.values()) {
      report.version = versioned.versions.get(report.name)?.after ?? report.version;
    }

    // 4. Verdaccio + changeset publish.
    phase('Start Verdaccio on 127.0.0.1 (own storage, no uplinks)', started);
    registry = await startLocalRegistry(join(temporary, 'registry'));
    log(`  ${registry.url} (log: ${registry.logFile})`);
    pointCopyAtRegistry(copyRoot, registry);
    const publishEnvironment = {
      ...environment,
      'npm_config_@dcgan:registry': registry.url,
      // Belt and braces: nothing in this step may reach the real registry's publish endpoint.
      npm_config_registry: registry.url,
    };
    phase('changeset publish (pnpm publish for each public package, to Verdaccio)', started);
    const publish = await publishPackages(copyRoot, changesetBin, publishEnvironment);
    log(indent(tail(publish.output, 30), '  '));
    if (publish.code !== 0) flowProblems.push(`changeset publish exited ${publish.code}`);

    const published = [];
    const releaseTags = await gitTags(copyRoot);
    for (const report of reports.values()) {
      if (withheld.has(report.name)) {
        report.steps.publish = { status: 'fail', detail: `not published: ${withheld.get(report.name)}` };
        continue;
      }
      const versions = await publishedVersions(registry.url, report.name);
      const tag = `${report.name}@${report.version}`;
      if (versions.includes(report.version) && !releaseTags.includes(tag)) {
        report.steps.publish = {
          status: 'fail',
          detail: `${tag} was published but \`changeset publish\` made no git tag ${tag} (it has: ${releaseTags.join(', ') || 'none'})`,
        };
      } else if (versions.includes(report.version)) {
        report.steps.publish = { status: 'pass', detail: `${tag}, git tag ${tag}` };
        published.push(report);
      } else {
        report.steps.publish = {
          status: 'fail',
          detail: `${report.name}@${report.version} is not on the local registry (it has: ${versions.join(', ') || 'nothing'}); changeset publish said:\n${tail(publish.output, 20)}`,
        };
      }
    }

    // 5. What was published: contents, sizes, publint, attw.
    phase('Inspect published tarballs (contents, publint --strict, attw)', started);
    /** @type {Map<string, import('./consumer-project.mjs').ExampleFiles | string>} */
    const examples = new Map();
    await mapWithConcurrency(published, 2, async (report) => {
      const directory = join(temporary, 'tarballs', report.name.replace('@', '').replace('/', '-'));
      const contents = await downloadTarball(
        /** @type {string} */ (registry?.url),
        report.name,
        report.version,
        directory,
      );
      report.tarball = {
        packedBytes: contents.packedBytes,
        unpackedBytes: contents.unpackedBytes,
        fileCount: contents.files.length,
      };
      const contentProblems = findContentProblems(contents, {
        relativeDirectory: report.relativeDirectory,
        repositoryUrl,
      });
      report.steps.contents =
        contentProblems.length === 0
          ? { status: 'pass', detail: contents.files.join(', ') }
          : { status: 'fail', detail: contentProblems.join('\n') };
      const [publint, attw] = await Promise.all([
        runPublint(contents.tarball, directory),
        runArethetypeswrong(contents.tarball, directory),
      ]);
      report.steps.publint = { status: publint.ok ? 'pass' : 'fail', detail: publint.output };
      report.steps.attw = { status: attw.ok ? 'pass' : 'fail', detail: attw.output };
      const readmePath = join(contents.directory, 'README.md');
      examples.set(
        report.name,
        existsSync(readmePath)
          ? readExample(readFileSync(readmePath, 'utf8'))
          : 'no README.md in the published package',
      );
      log(
        `  ${report.name}: ${formatBytes(contents.packedBytes)} packed, ${contents.files.length} files; publint ${publint.ok ? 'ok' : 'FAIL'}, attw ${attw.ok ? 'ok' : 'FAIL'}, contents ${contentProblems.length === 0 ? 'ok' : 'FAIL'}`,
      );
    });

    // 6. Each package alone, with npm.
    phase('npm: each package alone in an empty project, then its README install line and first example', started);
    /** @type {import('./consumer-project.mjs').ConsumerContext} */
    const context = { registryUrl: registry.url, environment, privateWorkspaceNames };
    await mapWithConcurrency(published, 2, async (report) => {
      const result = await checkWithNpm({
        directory: join(temporary, 'npm', report.name.replace('@', '').replace('/', '-')),
        packageName: report.name,
        version: report.version,
        example: /** @type {import('./consumer-project.mjs').ExampleFiles | string} */ (examples.get(report.name)),
        platformNeutral: platformNeutralPackages.has(report.name),
        context,
      });
      Object.assign(report.steps, {
        installAlone: result.installAlone,
        tree: result.tree,
        browserBundle: result.browserBundle,
        readmeInstall: result.readmeInstall,
        typecheck: result.typecheck,
        esm: result.esm,
        commonJs: result.commonJs,
      });
      log(`  ${report.name}: installed alone -> ${result.installedNames.join(' ') || '(nothing)'}`);
    });

    // 7. All together, with pnpm.
    if (published.length > 0) {
      phase('pnpm: every published package in one project; each ESM example again', started);
      const pnpmResult = await checkWithPnpm({
        directory: join(temporary, 'pnpm'),
        packages: published.map((report) => ({
          name: report.name,
          version: report.version,
          example: /** @type {import('./consumer-project.mjs').ExampleFiles | string} */ (examples.get(report.name)),
        })),
        context,
      });
      log(
        `  install: ${pnpmResult.install.status}${pnpmResult.install.status === 'fail' ? `\n${indent(pnpmResult.install.detail)}` : ''}`,
      );
      for (const report of published) {
        const install =
          pnpmResult.install.status === 'fail'
            ? pnpmResult.install
            : pnpmResult.tree.status === 'fail'
              ? pnpmResult.tree
              : undefined;
        report.steps.pnpm = install ?? pnpmResult.examples.get(report.name) ?? { status: 'skip', detail: 'not run' };
      }
    }

    // 8. The snapshot path, to the same registry.
    if (published.length > 0) {
      phase(
        `Snapshot release (another copy): changeset version --snapshot, publish --tag snapshot; ${snapshotConsumer}@snapshot alone runs its README example`,
        started,
      );
      const snapshot = await checkSnapshotRelease({
        root,
        directory: join(temporary, 'snapshot'),
        withheld,
        published: published.map((report) => ({ name: report.name, version: report.version })),
        registry,
        changesetBin,
        environment,
        publishEnvironment,
        consumerPackage: snapshotConsumer,
        consumerExample: examples.get(snapshotConsumer),
        consumerPlatformNeutral: platformNeutralPackages.has(snapshotConsumer),
        context,
      });
      flowProblems.push(...snapshot.problems);
      log(`  (${snapshot.timings.join(', ')})`);
      for (const report of published) {
        const step = snapshot.steps.get(report.name);
        if (step !== undefined) report.steps.snapshot = step;
        log(`  ${report.name}: ${step?.status === 'pass' ? step.detail : 'snapshot FAIL'}`);
      }
      const consumerReport = reports.get(snapshotConsumer);
      if (consumerReport !== undefined && snapshot.consumer !== undefined) {
        consumerReport.steps.snapshotInstall = snapshot.consumer;
        log(
          `  ${snapshotConsumer}@snapshot alone: ${snapshot.consumer.status === 'pass' ? 'README example ran' : 'FAIL'}`,
        );
      }
    }
  } catch (error) {
    flowProblems.push(error instanceof Error ? (error.stack ?? error.message) : String(error));
  } finally {
    if (registry !== undefined) {
      try {
        await registry.stop();
        log(`\nVerdaccio stopped (${registry.url} no longer answers).`);
      } catch (error) {
        flowProblems.push(`could not stop Verdaccio: ${String(error)}`);
      }
    }
    clearTimeout(watchdog);
  }

  // 8. Report.
  const reportList = [...reports.values()];
  const sized = reportList.filter((report) => report.tarball !== undefined);
  log('\n== Tarball sizes (as published to the local registry)');
  log(
    indent(
      formatTable(
        ['package', 'version', 'packed', 'unpacked', 'files'],
        sized.map((report) => [
          report.name,
          report.version,
          formatBytes(report.tarball?.packedBytes ?? 0),
          formatBytes(report.tarball?.unpackedBytes ?? 0),
          String(report.tarball?.fileCount ?? 0),
        ]),
        ['left', 'left', 'right', 'right', 'right'],
      ),
      '  ',
    ),
  );

  const columns = /** @type {const} */ ([
    ['build', 'build'],
    ['publish', 'publish'],
    ['contents', 'files'],
    ['publint', 'publint'],
    ['attw', 'attw'],
    ['installAlone', 'npm alone'],
    ['tree', 'tree'],
    ['browserBundle', 'browser'],
    ['readmeInstall', 'README install'],
    ['typecheck', 'tsc'],
    ['esm', 'ESM'],
    ['commonJs', 'CJS'],
    ['pnpm', 'pnpm'],
    ['snapshot', 'snapshot'],
    ['snapshotInstall', '@snapshot alone'],
  ]);
  /** Steps a package must pass; one that was never reached (an earlier step or the flow failed) fails it. */
  const requiredSteps = (/** @type {PackageReport} */ report) => [
    ...(options.skipBuild ? [] : ['build']),
    'publish',
    'contents',
    'publint',
    'attw',
    'installAlone',
    'tree',
    'readmeInstall',
    'typecheck',
    'esm',
    'commonJs',
    'pnpm',
    'snapshot',
    ...(platformNeutralPackages.has(report.name) ? ['browserBundle'] : []),
    ...(report.name === snapshotConsumer ? ['snapshotInstall'] : []),
  ];
  const isFailed = (/** @type {PackageReport} */ report) =>
    Object.values(report.steps).some((step) => step.status === 'fail') ||
    requiredSteps(report).some((key) => report.steps[key]?.status !== 'pass');
  log('\n== Results (ok / FAIL / - not applicable or not reached)');
  log(
    indent(
      formatTable(
        ['package', ...columns.map(([, title]) => title), 'result'],
        reportList.map((report) => {
          return [report.name, ...columns.map(([key]) => mark(report.steps[key])), isFailed(report) ? 'FAIL' : 'pass'];
        }),
      ),
      '  ',
    ),
  );

  const failures = reportList.flatMap((report) =>
    Object.entries(report.steps)
      .filter(([, step]) => step.status === 'fail')
      .map(([key, step]) => `  ${report.name} / ${key}:\n${indent(step.detail)}`),
  );
  if (failures.length > 0 || flowProblems.length > 0) {
    log('\n== Failures');
    for (const problem of flowProblems) log(`  release flow:\n${indent(problem)}`);
    for (const failure of failures) log(failure);
  }
  if (options.report !== undefined) {
    writeFileSync(resolve(options.report), `${JSON.stringify({ flowProblems, packages: reportList }, null, 2)}\n`);
  }
  const passed = reportList.filter((report) => !isFailed(report)).length;
  const ok = passed === reportList.length && flowProblems.length === 0 && reportList.length > 0;
  log(`\nrelease-check took ${((Date.now() - started) / 1000).toFixed(0)} s; packages:`);
  log(`release-check: ${passed} passed, ${reportList.length - passed} failed`);
  if (options.keep) log(`kept ${temporary}`);
  process.off('exit', removeTemporary);
  removeTemporary();
  return ok ? 0 : 1;
}

for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.on(signal, () => {
    killAllRunning();
    process.exit(130); // exit handlers stop Verdaccio
  });
}
process.on('exit', killAllRunning);

process.exitCode = await main();
