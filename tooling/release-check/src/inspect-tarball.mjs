// @ts-check
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
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
  const packumentResponse = await fetch(new URL(name.replace('/', '%2f'), registryUrl));
  if (!packumentResponse.ok) throw new Error(`GET ${name} from the local registry: HTTP ${packumentResponse.status}`);
  const packument = /** @type {any} */ (await packumentResponse.json());
  const tarballUrl = packument.versions?.[version]?.dist?.tarball;
  if (typeof tarballUrl !== 'string') throw new Error(`${name}@${version} has no dist.tarball on the local registry`);
  const response = await fetch(tarballUrl);
  if (!response.ok) throw new Error(`GET ${tarballUrl}: HTTP ${response.status}`);
  mkdirSync(directory, { recursive: true });
  const tarball = join(directory, `${name.replace('@', '').replace('/', '-')}-${version}.tgz`);
  writeFileSync(tarball, Buffer.from(await response.arrayBuffer()));
  const unpacked = join(directory, 'unpacked');
  mkdirSync(unpacked);
  const extract = await runCommand('tar', ['-xzf', tarball, '-C', unpacked], { cwd: directory, timeoutMilliseconds: 60_000 });
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
  { pattern: /(^|\/)(__tests__|__mocks__|tests?|fixtures?|__fixtures__|test-support|testing)\//, why: 'test or fixture folder' },
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
 * Problems with what a tarball contains: forbidden files, source maps that point outside the package or
 * at files it does not ship, `sourceMappingURL` comments naming missing maps, a missing README.
 * @param {TarballContents} contents
 * @returns {string[]}
 */
export function findContentProblems(contents) {
  const problems = [];
  const shipped = new Set(contents.files);
  if (!contents.files.some((file) => /^readme(\.md)?$/i.test(file))) problems.push('no README.md');
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
