// @ts-check
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readPackument } from './changesets-flow.mjs';
import { runCommand, tail } from './run-command.mjs';

/** This package's own `node_modules/.bin`, where pnpm put publint and attw. */
const binDirectory = join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', '.bin');

/**
 * @typedef {object} TarballContents
 * @property {string} tarball path of the .tgz
 * @property {string} directory where it was unpacked (its `package/` folder)
 * @property {number} packedBytes
 * @property {number} unpackedBytes
 * @property {string[]} files paths inside the package, `/`-separated
 */

/**
 * Downloads the tarball the registry serves for `name@version` and unpacks it, so every later check
 * looks at exactly what a user installs.
 * @param {string} registryUrl
 * @param {string} name
 * @param {string} version
 * @param {string} directory an empty directory to hold the .tgz and its contents
 * @returns {Promise<TarballContents>}
 */
export async function downloadTarball(registryUrl, name, version, directory) {
  const packument = await readPackument(registryUrl, name);
  if (packument === undefined) throw new Error(`the local registry has no ${name}`);
  const tarballUrl = packument.versions?.[version]?.dist?.tarball;
  if (typeof tarballUrl !== 'string') throw new Error(`${name}@${version} has no dist.tarball on the local registry`);
  const response = await fetch(tarballUrl);
  if (!response.ok) throw new Error(`GET ${tarballUrl}: HTTP ${response.status}`);
  mkdirSync(directory, { recursive: true });
  const tarball = join(directory, `${name.replace('@', '').replace('/', '-')}-${version}.tgz`);
  writeFileSync(tarball, Buffer.from(await response.arrayBuffer()));
  const unpacked = join(directory, 'unpacked');
  mkdirSync(unpacked);
  const extract = await runCommand('tar', ['-xzf', tarball, '-C', unpacked], {
    cwd: directory,
    timeoutMilliseconds: 60_000,
  });
  if (extract.code !== 0) throw new Error(`tar could not unpack ${tarball}:\n${tail(extract.output)}`);
  const packageDirectory = join(unpacked, 'package');
  const files = listFiles(packageDirectory);
  const unpackedBytes = files.reduce((sum, file) => sum + statSync(join(packageDirectory, file)).size, 0);
  return { tarball, directory: packageDirectory, packedBytes: statSync(tarball).size, unpackedBytes, files };
}

/** @param {string} directory */
function listFiles(directory) {
  /** @type {string[]} */
  const files = [];
  const walk = (/** @type {string} */ current) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.push(relative(directory, path).split(sep).join('/'));
    }
  };
  walk(directory);
  return files.sort();
}

/** Paths a published package must not contain: tests, fixtures, test helpers, build leftovers. */
const forbiddenPatterns = [
  {
    pattern: /(^|\/)(__tests__|__mocks__|tests?|fixtures?|__fixtures__|test-support|testing)\//,
    why: 'test or fixture folder',
  },
  { pattern: /\.(test|spec|bench)\.[cm]?[jt]sx?$/, why: 'test file' },
  { pattern: /\.(test|spec)\.d\.[cm]?ts$/, why: 'test declaration' },
  { pattern: /\.tsbuildinfo$/, why: 'TypeScript build info' },
  { pattern: /(^|\/)(tsup|vitest|vite|turbo)\.config\.[cm]?[jt]s$/, why: 'build/test config' },
  { pattern: /(^|\/)tsconfig(\.[\w-]+)?\.json$/, why: 'tsconfig (extends a workspace-only package)' },
  { pattern: /(^|\/)\.(turbo|cache)\//, why: 'cache folder' },
  { pattern: /(^|\/)node_modules\//, why: 'node_modules' },
  { pattern: /\.tgz$/, why: 'nested tarball' },
];

/**
 * @typedef {object} ExpectedMetadata
 * @property {string} relativeDirectory the package's folder in the repository, e.g. `packages/core`
 * @property {string} repositoryUrl the root package.json's `repository.url`, which every package must name
 */

/**
 * Problems with what a tarball contains: forbidden files, source maps that point outside the package or
 * at files it does not ship, `sourceMappingURL` comments naming missing maps, a missing README or
 * LICENSE, and the publishing metadata of its package.json (see `findManifestProblems`).
 * @param {TarballContents} contents
 * @param {ExpectedMetadata} expected
 * @returns {string[]}
 */
export function findContentProblems(contents, expected) {
  const problems = [];
  const shipped = new Set(contents.files);
  if (!contents.files.some((file) => /^readme(\.md)?$/i.test(file))) problems.push('no README.md');
  if (!contents.files.some((file) => /^licen[cs]e(\.md|\.txt)?$/i.test(file))) {
    problems.push('no LICENSE file (copy the repository LICENSE into the package folder; npm always packs it)');
  }
  if (shipped.has('package.json')) {
    const manifest = JSON.parse(readFileSync(join(contents.directory, 'package.json'), 'utf8'));
    problems.push(...findManifestProblems(manifest, contents.files, expected));
  } else {
    problems.push('no package.json');
  }
  for (const file of contents.files) {
    for (const { pattern, why } of forbiddenPatterns) {
      if (pattern.test(file)) problems.push(`ships ${file} (${why})`);
    }
    if (file.endsWith('.map')) problems.push(...sourceMapProblems(contents.directory, file, shipped));
    if (/\.[cm]?js$|\.d\.[cm]?ts$/.test(file)) {
      const text = readFileSync(join(contents.directory, file), 'utf8');
      const reference = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(text)?.[1];
      if (reference !== undefined && !reference.startsWith('data:')) {
        const target = posix.normalize(posix.join(posix.dirname(file), reference));
        if (!shipped.has(target)) problems.push(`${file} names source map ${reference}, which is not shipped`);
      }
    }
  }
  return problems;
}

/**
 * The publishing metadata npm shows and provenance needs: `license`, `repository` (this repository's URL,
 * with `directory` naming the package's folder), `homepage`, `bugs`, `keywords`; and a `sideEffects`
 * list whose every pattern matches a shipped file (a pattern that matches nothing is a stale name, and a
 * bundler would then drop a file that does have side effects).
 * @param {Record<string, any>} manifest the published package.json
 * @param {readonly string[]} files the shipped files, `/`-separated
 * @param {ExpectedMetadata} expected
 * @returns {string[]}
 */
export function findManifestProblems(manifest, files, expected) {
  const problems = [];
  if (typeof manifest.license !== 'string' || manifest.license === '') problems.push('package.json has no `license`');
  const repository = manifest.repository;
  if (typeof repository !== 'object' || repository === null) {
    problems.push(
      `package.json has no \`repository\` object (want { "type": "git", "url": "${expected.repositoryUrl}", "directory": "${expected.relativeDirectory}" })`,
    );
  } else {
    if (repository.url !== expected.repositoryUrl) {
      problems.push(
        `package.json \`repository.url\` is ${JSON.stringify(repository.url)}, not the root package.json's ${JSON.stringify(expected.repositoryUrl)}`,
      );
    }
    if (repository.directory !== expected.relativeDirectory) {
      problems.push(
        `package.json \`repository.directory\` is ${JSON.stringify(repository.directory)}, not ${JSON.stringify(expected.relativeDirectory)}`,
      );
    }
  }
  if (typeof manifest.homepage !== 'string' || !/^https:\/\//.test(manifest.homepage))
    problems.push('package.json has no https `homepage`');
  const bugs = typeof manifest.bugs === 'string' ? manifest.bugs : manifest.bugs?.url;
  if (typeof bugs !== 'string' || !/^https:\/\//.test(bugs)) problems.push('package.json has no `bugs.url`');
  if (!Array.isArray(manifest.keywords) || manifest.keywords.length === 0)
    problems.push('package.json has no `keywords`');
  if (Array.isArray(manifest.sideEffects)) {
    for (const pattern of manifest.sideEffects) {
      const matcher = sideEffectsMatcher(String(pattern));
      if (!files.some((file) => matcher.test(file))) {
        problems.push(`package.json \`sideEffects\` names ${JSON.stringify(pattern)}, which matches no shipped file`);
      }
    }
  } else if (manifest.sideEffects !== false && manifest.sideEffects !== true) {
    problems.push('package.json has no `sideEffects` (false, or the files that register kernels or layers)');
  }
  return problems;
}

/**
 * A `sideEffects` glob as bundlers read it: relative to the package root (`./` optional), `*` within
 * one path segment, `**` across segments; a pattern without `/` matches a file name in any folder.
 * @param {string} pattern
 */
export function sideEffectsMatcher(pattern) {
  const relativePattern = pattern.replace(/^\.\//, '');
  const body = relativePattern
    .split(/(\*\*\/?|\*|\?)/)
    .map((part) => {
      if (part === '**/') return '(?:.*/)?';
      if (part === '**') return '.*';
      if (part === '*') return '[^/]*';
      if (part === '?') return '[^/]';
      return part.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp(relativePattern.includes('/') ? `^${body}$` : `(^|/)${body}$`);
}

/**
 * @param {string} packageDirectory
 * @param {string} file
 * @param {ReadonlySet<string>} shipped
 */
export function sourceMapProblems(packageDirectory, file, shipped) {
  /** @type {string[]} */
  const problems = [];
  let map;
  try {
    map = JSON.parse(readFileSync(join(packageDirectory, file), 'utf8'));
  } catch (error) {
    return [`${file} is not valid JSON: ${String(error)}`];
  }
  const sources = Array.isArray(map.sources) ? map.sources : [];
  const contents = Array.isArray(map.sourcesContent) ? map.sourcesContent : [];
  const sourceRoot = typeof map.sourceRoot === 'string' ? map.sourceRoot : '';
  sources.forEach((/** @type {unknown} */ source, /** @type {number} */ index) => {
    if (typeof source !== 'string') return;
    if (/^[a-z][\w+.-]*:/i.test(source) && !source.startsWith('file:')) return; // webpack://, etc. are labels
    const absolute = resolve(packageDirectory, dirname(file), sourceRoot, source.replace(/^file:\/\//, ''));
    const inside = relative(packageDirectory, absolute);
    if (inside.startsWith('..') || resolve(inside) === inside) {
      problems.push(`${file} points outside the package: ${source}`);
    } else if (typeof contents[index] !== 'string' && !shipped.has(inside.split(sep).join('/'))) {
      problems.push(`${file} points at ${source}, which is not shipped and has no sourcesContent`);
    }
  });
  return problems;
}

/**
 * @param {string} tarball
 * @param {string} cwd
 */
export async function runPublint(tarball, cwd) {
  const result = await runCommand(join(binDirectory, 'publint'), ['run', tarball, '--strict'], {
    cwd,
    timeoutMilliseconds: 120_000,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  return { ok: result.code === 0, output: result.output.trim() };
}

/**
 * `attw` on the tarball itself: the same analysis `attw --pack` runs, on exactly what was published,
 * with the default (strict) profile: node10, node16 (CommonJS and ESM) and bundler resolution.
 * @param {string} tarball
 * @param {string} cwd
 */
export async function runArethetypeswrong(tarball, cwd) {
  const result = await runCommand(
    join(binDirectory, 'attw'),
    [tarball, '--format', 'table', '--no-emoji', '--no-color'],
    { cwd, timeoutMilliseconds: 120_000, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } },
  );
  return { ok: result.code === 0, output: result.output.trim() };
}
