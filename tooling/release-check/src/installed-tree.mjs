// @ts-check
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * @typedef {object} InstalledPackage
 * @property {string} name
 * @property {string} version
 * @property {string} path relative to the project, e.g. `node_modules/@tensorflow/tfjs-core`
 * @property {string[]} installScripts names of its preinstall/install/postinstall scripts
 * @property {boolean} native has binding.gyp, `gypfile: true`, or a compiled `.node` addon
 */

/** Install-time scripts: a package with any of these runs code (often a native build) when installed. */
const installScriptNames = ['preinstall', 'install', 'postinstall'];

/**
 * Every package under a project's `node_modules`, nested ones included (npm's layout; pnpm's
 * `.pnpm` store is walked too). Each real directory is read once.
 * @param {string} projectDirectory
 * @returns {InstalledPackage[]}
 */
export function listInstalledPackages(projectDirectory) {
  /** @type {InstalledPackage[]} */
  const packages = [];
  const seen = new Set();
  /** @param {string} modulesDirectory */
  const walkModules = (modulesDirectory) => {
    if (!existsSync(modulesDirectory)) return;
    for (const entry of readdirSync(modulesDirectory, { withFileTypes: true })) {
      if (entry.name === '.bin' || entry.name === '.cache' || entry.name.startsWith('.package-lock')) continue;
      const path = join(modulesDirectory, entry.name);
      if (entry.name === '.pnpm') {
        for (const storeEntry of readdirSync(path, { withFileTypes: true })) {
          if (storeEntry.isDirectory()) walkModules(join(path, storeEntry.name, 'node_modules'));
        }
        continue;
      }
      if (entry.name.startsWith('@')) {
        for (const scoped of readdirSync(path)) visitPackage(join(path, scoped));
        continue;
      }
      visitPackage(path);
    }
  };
  /** @param {string} packageDirectory */
  const visitPackage = (packageDirectory) => {
    let real;
    try {
      real = realpathSync(packageDirectory);
    } catch {
      return; // dangling link
    }
    if (seen.has(real)) return;
    seen.add(real);
    const manifestPath = join(real, 'package.json');
    if (existsSync(manifestPath)) {
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
      const scripts = manifest.scripts ?? {};
      packages.push({
        name: String(manifest.name),
        version: String(manifest.version),
        path: relative(projectDirectory, packageDirectory),
        installScripts: installScriptNames.filter((name) => typeof scripts[name] === 'string'),
        native: manifest.gypfile === true || existsSync(join(real, 'binding.gyp')) || containsNativeAddon(real),
      });
    }
    walkModules(join(real, 'node_modules'));
  };
  walkModules(join(projectDirectory, 'node_modules'));
  return packages;
}

/**
 * Does a package ship a compiled Node addon (`*.node`)? Looks a few levels deep, skipping node_modules.
 * @param {string} directory
 * @param {number} [depth] @default 4
 * @returns {boolean}
 */
function containsNativeAddon(directory, depth = 4) {
  if (depth < 0) return false;
  let entries;
  try {
    entries = readdirSync(directory, { withFileTypes: true });
  } catch {
    return false;
  }
  for (const entry of entries) {
    if (entry.isFile() && entry.name.endsWith('.node')) return true;
    if (
      entry.isDirectory() &&
      entry.name !== 'node_modules' &&
      containsNativeAddon(join(directory, entry.name), depth - 1)
    ) {
      return true;
    }
  }
  return false;
}

/**
 * Packages that are Node-only by nature: native image/database bindings and tfjs's native backends.
 * A platform-neutral package must not pull any of them in.
 */
export const nodeOnlyPackagePatterns = [
  /^sharp$/,
  /^@img\//,
  /^lmdb$/,
  /^@lmdb\//,
  /^msgpackr-extract$/,
  /^@tensorflow\/tfjs-node(-gpu)?$/,
  /^node-gyp(-build)?$/,
  /^node-pre-gyp$/,
  /^@mapbox\/node-pre-gyp$/,
  /^prebuild-install$/,
];

/**
 * Checks that hold for every published package installed alone: no private workspace package (apps,
 * tooling) came with it, and the tree holds exactly one tfjs-core (two would be two engines).
 * @param {readonly InstalledPackage[]} installed
 * @param {ReadonlySet<string>} privateWorkspaceNames
 * @returns {string[]}
 */
export function findTreeProblems(installed, privateWorkspaceNames) {
  const problems = [];
  for (const installedPackage of installed) {
    if (privateWorkspaceNames.has(installedPackage.name)) {
      problems.push(`pulled in the private workspace package ${installedPackage.name} (${installedPackage.path})`);
    }
  }
  const cores = installed.filter((installedPackage) => installedPackage.name === '@tensorflow/tfjs-core');
  if (cores.length > 1) {
    problems.push(
      `${cores.length} copies of @tensorflow/tfjs-core: ${cores.map((core) => `${core.version} at ${core.path}`).join(', ')}`,
    );
  }
  return problems;
}

/**
 * Packages that must also run in a browser (ARCHITECTURE.md: "core must bundle for a browser"): their
 * lone install may pull in nothing Node-only or native, and their main entry must bundle for a browser.
 */
export const platformNeutralPackages = new Set(['@dcgan/common', '@dcgan/core']);

/**
 * Checks for a platform-neutral package (one that must also run in a browser): besides itself, no other
 * @dcgan package but platform-neutral ones (checked on their own the same way), nothing Node-only, nothing
 * native and nothing that runs an install script.
 * @param {readonly InstalledPackage[]} installed
 * @param {string} packageName
 * @returns {string[]}
 */
export function findPlatformNeutralProblems(installed, packageName) {
  const problems = [];
  for (const installedPackage of installed) {
    const label = `${installedPackage.name}@${installedPackage.version} (${installedPackage.path})`;
    if (
      installedPackage.name.startsWith('@dcgan/') &&
      installedPackage.name !== packageName &&
      !platformNeutralPackages.has(installedPackage.name)
    ) {
      problems.push(`pulled in another @dcgan package: ${label}`);
    }
    if (nodeOnlyPackagePatterns.some((pattern) => pattern.test(installedPackage.name))) {
      problems.push(`pulled in a Node-only package: ${label}`);
    }
    if (installedPackage.native) problems.push(`pulled in a native addon: ${label}`);
    if (installedPackage.installScripts.length > 0) {
      problems.push(
        `pulled in a package with install scripts (${installedPackage.installScripts.join(', ')}): ${label}`,
      );
    }
  }
  return problems;
}
