// @ts-check
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * @typedef {object} WorkspacePackage
 * @property {string} name
 * @property {string} version
 * @property {string} directory absolute path
 * @property {string} relativeDirectory path from the repository root, e.g. `packages/core`
 * @property {boolean} isPrivate
 * @property {Record<string, any>} manifest the parsed package.json
 */

/**
 * The workspace globs of `pnpm-workspace.yaml` (only the `dir/*` and `dir` forms this repository uses).
 * @param {string} root
 * @returns {string[]}
 */
export function readWorkspaceGlobs(root) {
  const text = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8');
  const globs = [];
  let inPackages = false;
  for (const line of text.split('\n')) {
    if (/^packages:\s*$/.test(line)) {
      inPackages = true;
      continue;
    }
    if (inPackages) {
      const item = /^\s+-\s+['"]?([^'"#\s]+)['"]?/.exec(line);
      if (item?.[1] !== undefined) globs.push(item[1]);
      else if (/^\S/.test(line)) inPackages = false;
    }
  }
  return globs;
}

/**
 * Every package directory a `dir/*` or `dir` glob names, with its parsed package.json. Directories
 * without a package.json, or with one that does not parse, come back in `problems`.
 * @param {string} root
 * @param {readonly string[]} globs
 */
export function listWorkspacePackages(root, globs) {
  /** @type {WorkspacePackage[]} */
  const packages = [];
  /** @type {{ directory: string, problem: string }[]} */
  const problems = [];
  for (const glob of globs) {
    const directories = glob.endsWith('/*') ? listDirectories(join(root, glob.slice(0, -2))) : [join(root, glob)];
    for (const directory of directories) {
      const manifestPath = join(directory, 'package.json');
      const relativeDirectory = relative(root, directory);
      if (!existsSync(manifestPath)) {
        problems.push({ directory: relativeDirectory, problem: 'no package.json (package not started yet?)' });
        continue;
      }
      try {
        const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
        packages.push({
          name: String(manifest.name),
          version: String(manifest.version),
          directory,
          relativeDirectory,
          isPrivate: manifest.private === true,
          manifest,
        });
      } catch (error) {
        problems.push({ directory: relativeDirectory, problem: `package.json does not parse: ${String(error)}` });
      }
    }
  }
  return { packages, problems };
}

/**
 * The packages this check releases: `packages/*` whose package.json is not `"private": true`.
 * @param {string} root
 */
export function discoverPublicPackages(root) {
  const { packages, problems } = listWorkspacePackages(root, ['packages/*']);
  return {
    publicPackages: packages.filter((workspacePackage) => !workspacePackage.isPrivate),
    privatePackages: packages.filter((workspacePackage) => workspacePackage.isPrivate),
    problems,
  };
}

/** @param {string} directory */
function listDirectories(directory) {
  if (!existsSync(directory)) return [];
  return readdirSync(directory, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => join(directory, entry.name))
    .sort();
}
