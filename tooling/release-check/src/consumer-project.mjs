// @ts-check
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { findPlatformNeutralProblems, findTreeProblems, listInstalledPackages } from './installed-tree.mjs';
import {
  extractFencedBlocks,
  findFirstExample,
  findInstallArguments,
  toCommonJsExample,
  transpileExample,
} from './readme-example.mjs';
import { runCommand, tail } from './run-command.mjs';

const require = createRequire(import.meta.url);

/**
 * @typedef {{ status: 'pass' | 'fail' | 'skip', detail: string }} StepResult
 */

/**
 * @typedef {object} ConsumerContext
 * @property {string} registryUrl the local registry, for the dcgan scope only
 * @property {NodeJS.ProcessEnv} environment a clean environment for npm, pnpm and node
 * @property {ReadonlySet<string>} privateWorkspaceNames apps and tooling: must never be installed
 */

/** @param {string} detail @returns {StepResult} */
const pass = (detail = '') => ({ status: 'pass', detail });
/** @param {string} detail @returns {StepResult} */
const fail = (detail) => ({ status: 'fail', detail });
/** @param {string} detail @returns {StepResult} */
const skip = (detail) => ({ status: 'skip', detail });

/** The versions Node 20 users get; pinned so the check does not drift. */
const nodeTypesSpec = '@types/node@^20.17.0';

/**
 * An empty project whose `.npmrc` sends the dcgan scope to the local registry and everything else
 * to the machine's normal registry.
 * @param {string} directory
 * @param {string} registryUrl
 * @param {'module' | 'commonjs'} type
 */
export function createEmptyProject(directory, registryUrl, type) {
  mkdirSync(directory, { recursive: true });
  writeFileSync(
    join(directory, 'package.json'),
    `${JSON.stringify({ name: 'release-check-consumer', version: '0.0.0', private: true, type }, null, 2)}\n`,
  );
  writeFileSync(
    join(directory, '.npmrc'),
    [`@dcgan:registry=${registryUrl}`, 'audit=false', 'fund=false', 'update-notifier=false', ''].join('\n'),
  );
}

/**
 * The tsconfig a strict Node 20 user would have: nodenext resolution, so `example.ts` (ESM) resolves
 * through the `import` condition and `example-require.cts` (CommonJS) through `require`. Library
 * declarations are checked too (`skipLibCheck: false`) so a broken shipped .d.ts fails; errors inside
 * third-party declarations are set aside by `splitTypeErrors`.
 * @param {string} directory
 * @param {readonly string[]} files
 */
function writeTsconfig(directory, files) {
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      lib: ['ES2022', 'DOM'],
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      noEmit: true,
      skipLibCheck: false,
      types: ['node'],
    },
    files,
  };
  writeFileSync(join(directory, 'tsconfig.json'), `${JSON.stringify(tsconfig, null, 2)}\n`);
}

/**
 * Splits `tsc` output into errors in the example or in @dcgan declarations (`own`, each with its
 * continuation lines) and the third-party packages whose own declarations do not compile without
 * `skipLibCheck` (tfjs 4.22's do not under `strict`), which this check does not hold against us.
 * @param {string} output
 */
export function splitTypeErrors(output) {
  /** @type {string[]} */
  const own = [];
  /** @type {Set<string>} */
  const foreign = new Set();
  let current = /** @type {'own' | 'foreign' | undefined} */ (undefined);
  for (const line of output.split('\n')) {
    const error = /^(\S.*?)\(\d+,\d+\): error TS\d+/.exec(line);
    if (error?.[1] !== undefined) {
      const file = error[1];
      const thirdParty = /(^|\/)node_modules\/((@[^/]+\/)?[^/]+)/.exec(file);
      if (thirdParty?.[2] !== undefined && !thirdParty[2].startsWith('@dcgan/')) {
        foreign.add(thirdParty[2]);
        current = 'foreign';
      } else {
        own.push(line);
        current = 'own';
      }
    } else if (/^\s+\S/.test(line) && current === 'own') {
      own.push(line);
    } else if (/error TS\d+/.test(line)) {
      own.push(line); // a global error with no file, e.g. a bad tsconfig
      current = 'own';
    }
  }
  return { own, foreign };
}

/**
 * @param {string} directory
 * @param {readonly string[]} specs
 * @param {NodeJS.ProcessEnv} environment
 */
function npmInstall(directory, specs, environment) {
  return runCommand('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...specs], {
    cwd: directory,
    env: environment,
    timeoutMilliseconds: 300_000,
  });
}

/**
 * @typedef {object} ExampleFiles
 * @property {string} esmSource the README's first example, as written (TypeScript or JavaScript)
 * @property {string} commonJsSource the same example as a CommonJS TypeScript module
 * @property {string[]} installArguments the README's `npm install` arguments
 */

/**
 * Reads the README's install line and first example.
 * @param {string} readme
 * @returns {ExampleFiles | string} a problem description when the README lacks either
 */
export function readExample(readme) {
  const blocks = extractFencedBlocks(readme);
  const example = findFirstExample(blocks);
  const installArguments = findInstallArguments(blocks);
  if (example === undefined)
    return `README has no \`\`\`ts or \`\`\`js example (its code blocks: ${blocks.map((block) => block.language || 'plain').join(', ') || 'none'})`;
  if (installArguments === undefined) return 'README has no `npm install ...` line in a shell code block';
  return { esmSource: example.code, commonJsSource: toCommonJsExample(example.code), installArguments };
}

/**
 * Writes the example as ESM and CommonJS TypeScript, type-checks both with `tsc --noEmit`, then runs
 * their type-stripped JavaScript with node.
 * @param {string} directory
 * @param {ExampleFiles} example
 * @param {NodeJS.ProcessEnv} environment
 * @param {{ typecheck: boolean, commonJs: boolean }} which
 */
async function checkExample(directory, example, environment, which) {
  writeFileSync(join(directory, 'example.ts'), example.esmSource);
  writeFileSync(join(directory, 'example-require.cts'), example.commonJsSource);
  writeFileSync(join(directory, 'example.mjs'), transpileExample(example.esmSource, 'esm'));
  writeFileSync(join(directory, 'example-require.cjs'), transpileExample(example.commonJsSource, 'commonjs'));
  /** @type {Record<'typecheck' | 'esm' | 'commonJs', StepResult>} */
  const results = { typecheck: skip('not run'), esm: skip('not run'), commonJs: skip('not run') };
  if (which.typecheck) {
    writeTsconfig(directory, ['example.ts', 'example-require.cts']);
    const tsc = await runCommand(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json'], {
      cwd: directory,
      env: environment,
      timeoutMilliseconds: 180_000,
    });
    const { own, foreign } = splitTypeErrors(tsc.output);
    const foreignNote =
      foreign.size > 0 ? `ignored errors inside third-party declarations: ${[...foreign].join(', ')}` : '';
    results.typecheck =
      own.length === 0 && (tsc.code === 0 || foreign.size > 0)
        ? pass(foreignNote)
        : fail(
            `tsc --noEmit:\n${own.length > 0 ? own.slice(0, 40).join('\n') : tail(tsc.output, 30)}${foreignNote ? `\n(${foreignNote})` : ''}`,
          );
  }
  const esm = await runCommand(process.execPath, ['example.mjs'], {
    cwd: directory,
    env: environment,
    timeoutMilliseconds: 240_000,
  });
  results.esm =
    esm.code === 0 ? pass(tail(esm.output, 5)) : fail(`node example.mjs (exit ${esm.code}):\n${tail(esm.output, 30)}`);
  if (which.commonJs) {
    const commonJs = await runCommand(process.execPath, ['example-require.cjs'], {
      cwd: directory,
      env: environment,
      timeoutMilliseconds: 240_000,
    });
    results.commonJs =
      commonJs.code === 0
        ? pass(tail(commonJs.output, 5))
        : fail(`node example-require.cjs (exit ${commonJs.code}):\n${tail(commonJs.output, 30)}`);
  }
  return results;
}

/**
 * Bundles a package's main entry for the browser with esbuild (tfjs left external, as a web app
 * would have it). Fails when the entry imports a Node built-in such as `fs`.
 * @param {string} directory a project where the package is installed
 * @param {string} packageName
 * @returns {Promise<StepResult>}
 */
async function bundleForBrowser(directory, packageName) {
  const esbuild = await import('esbuild');
  try {
    const result = await esbuild.build({
      stdin: { contents: `export * from ${JSON.stringify(packageName)};`, resolveDir: directory, loader: 'js' },
      bundle: true,
      write: false,
      platform: 'browser',
      format: 'esm',
      external: ['@tensorflow/*'],
      logLevel: 'silent',
      metafile: true,
    });
    const inputs = Object.keys(result.metafile?.inputs ?? {}).length;
    return pass(
      `browser bundle of ${packageName}: ${inputs} input files, ${result.outputFiles[0]?.contents.length ?? 0} bytes`,
    );
  } catch (error) {
    const errors =
      /** @type {{ errors?: { text: string, location?: { file: string } | null }[] }} */ (error).errors ?? [];
    return fail(
      `esbuild (platform: browser) could not bundle ${packageName}:\n${
        errors.map((item) => `${item.location?.file ?? ''}: ${item.text}`).join('\n') || String(error)
      }`,
    );
  }
}

/**
 * @typedef {object} NpmConsumerResult
 * @property {StepResult} installAlone `npm install <package>@<version>` in an empty project
 * @property {StepResult} tree checks on what that install pulled in
 * @property {StepResult} browserBundle platform-neutral packages only
 * @property {StepResult} readmeInstall the README's own `npm install` line
 * @property {StepResult} typecheck
 * @property {StepResult} esm
 * @property {StepResult} commonJs
 * @property {string[]} installedNames what the lone install pulled in, `name@version`
 */

/**
 * The npm consumer check for one published package.
 * @param {object} options
 * @param {string} options.directory an empty directory for the project
 * @param {string} options.packageName
 * @param {string} options.version the version the install must bring
 * @param {string} [options.distTag] install `<package>@<distTag>` (and the README's `@dcgan/*` packages
 *   at that tag, as a user trying a snapshot would) instead of `<package>@<version>`
 * @param {ExampleFiles | string} options.example
 * @param {boolean} options.platformNeutral whether the package must also work in a browser
 * @param {{ typecheck: boolean, commonJs: boolean }} [options.exampleChecks] type-check the example, run it
 *   as CommonJS too (both by default; the ES module form always runs)
 * @param {ConsumerContext} options.context
 * @returns {Promise<NpmConsumerResult>}
 */
export async function checkWithNpm({
  directory,
  packageName,
  version,
  distTag,
  example,
  platformNeutral,
  exampleChecks,
  context,
}) {
  /** @type {NpmConsumerResult} */
  const result = {
    installAlone: skip('not run'),
    tree: skip('not run'),
    browserBundle: skip('not platform-neutral'),
    readmeInstall: skip('not run'),
    typecheck: skip('not run'),
    esm: skip('not run'),
    commonJs: skip('not run'),
    installedNames: [],
  };
  createEmptyProject(directory, context.registryUrl, 'module');
  const spec = `${packageName}@${distTag ?? version}`;
  const alone = await npmInstall(directory, [spec], context.environment);
  if (alone.code !== 0) {
    result.installAlone = fail(`npm install ${spec}:\n${tail(alone.output)}`);
    return result;
  }
  const installed = listInstalledPackages(directory);
  result.installedNames = installed.map((item) => `${item.name}@${item.version}`).sort();
  const installedVersion = topLevelVersion(directory, packageName);
  result.installAlone =
    installedVersion === version
      ? pass(`npm install ${spec}: ${packageName}@${installedVersion}, ${installed.length} packages`)
      : fail(`npm install ${spec} installed ${packageName}@${installedVersion ?? '(nothing)'}, not ${version}`);
  if (result.installAlone.status === 'fail') return result;
  const treeProblems = findTreeProblems(installed, context.privateWorkspaceNames);
  if (platformNeutral) treeProblems.push(...findPlatformNeutralProblems(installed, packageName));
  result.tree =
    treeProblems.length === 0 ? pass(`${installed.length} packages, none forbidden`) : fail(treeProblems.join('\n'));
  if (platformNeutral) result.browserBundle = await bundleForBrowser(directory, packageName);

  if (typeof example === 'string') {
    result.readmeInstall = fail(example);
    return result;
  }
  const installArguments =
    distTag === undefined ? example.installArguments : atDistTag(example.installArguments, distTag);
  const readmeInstall = await npmInstall(directory, [...installArguments, nodeTypesSpec], context.environment);
  if (readmeInstall.code !== 0) {
    result.readmeInstall = fail(`npm install ${installArguments.join(' ')}:\n${tail(readmeInstall.output)}`);
    return result;
  }
  result.readmeInstall = pass(`npm install ${installArguments.join(' ')}`);
  const afterReadme = findTreeProblems(listInstalledPackages(directory), context.privateWorkspaceNames);
  const versionAfterReadme = topLevelVersion(directory, packageName);
  if (versionAfterReadme !== version)
    afterReadme.push(`${packageName} is now ${versionAfterReadme ?? '(gone)'}, not ${version}`);
  if (afterReadme.length > 0) result.readmeInstall = fail(`after the README's install line: ${afterReadme.join('\n')}`);
  Object.assign(
    result,
    await checkExample(directory, example, context.environment, exampleChecks ?? { typecheck: true, commonJs: true }),
  );
  return result;
}

/**
 * The version of `packageName` a project's top-level `node_modules` holds.
 * @param {string} directory
 * @param {string} packageName
 * @returns {string | undefined}
 */
function topLevelVersion(directory, packageName) {
  const manifestPath = join(directory, 'node_modules', packageName, 'package.json');
  return existsSync(manifestPath) ? String(JSON.parse(readFileSync(manifestPath, 'utf8')).version) : undefined;
}

/**
 * A README's install arguments with each bare `@dcgan/*` package asked for at `distTag`, as a user
 * trying a snapshot types them (`@dcgan/core` becomes `@dcgan/core@snapshot`); others stay as written.
 * @param {readonly string[]} installArguments
 * @param {string} distTag
 */
export function atDistTag(installArguments, distTag) {
  return installArguments.map((argument) => (/^@dcgan\/[^@]+$/.test(argument) ? `${argument}@${distTag}` : argument));
}

/**
 * @typedef {object} PnpmConsumerResult
 * @property {StepResult} install every published package plus every README's install arguments, at once
 * @property {StepResult} tree
 * @property {Map<string, StepResult>} examples each package's ESM example run under pnpm's strict layout
 */

/**
 * One pnpm project holding every published package: catches undeclared dependencies that npm's
 * hoisting hides, and checks that they install side by side with one tfjs-core.
 * @param {object} options
 * @param {string} options.directory
 * @param {readonly { name: string, version: string, example: ExampleFiles | string }[]} options.packages
 * @param {ConsumerContext} options.context
 * @returns {Promise<PnpmConsumerResult>}
 */
export async function checkWithPnpm({ directory, packages, context }) {
  /** @type {PnpmConsumerResult} */
  const result = { install: skip('not run'), tree: skip('not run'), examples: new Map() };
  createEmptyProject(directory, context.registryUrl, 'module');
  const specs = new Set(packages.map((item) => `${item.name}@${item.version}`));
  for (const item of packages) {
    if (typeof item.example === 'string') continue;
    for (const argument of item.example.installArguments) {
      if (!argument.startsWith('@dcgan/')) specs.add(argument);
    }
  }
  const install = await runCommand('pnpm', ['add', '--reporter=append-only', ...specs], {
    cwd: directory,
    env: context.environment,
    timeoutMilliseconds: 300_000,
  });
  if (install.code !== 0) {
    result.install = fail(`pnpm add ${[...specs].join(' ')}:\n${tail(install.output)}`);
    return result;
  }
  result.install = pass(`pnpm add ${[...specs].join(' ')}`);
  const problems = findTreeProblems(listInstalledPackages(directory), context.privateWorkspaceNames);
  result.tree = problems.length === 0 ? pass() : fail(problems.join('\n'));
  for (const item of packages) {
    if (typeof item.example === 'string') {
      result.examples.set(item.name, skip(item.example));
      continue;
    }
    const exampleDirectory = join(directory, `example-${item.name.replace('@', '').replace('/', '-')}`);
    mkdirSync(exampleDirectory);
    writeFileSync(join(exampleDirectory, 'package.json'), '{ "type": "module" }\n');
    const file = join(exampleDirectory, 'example.mjs');
    writeFileSync(file, transpileExample(item.example.esmSource, 'esm'));
    const run = await runCommand(process.execPath, [file], {
      cwd: dirname(file),
      env: context.environment,
      timeoutMilliseconds: 240_000,
    });
    result.examples.set(
      item.name,
      run.code === 0 ? pass(tail(run.output, 5)) : fail(`node example.mjs (pnpm project):\n${tail(run.output, 30)}`),
    );
  }
  return result;
}
