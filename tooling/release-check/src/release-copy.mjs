// @ts-check
import { cpSync, existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { listWorkspacePackages, readWorkspaceGlobs } from './discover-packages.mjs';
import { runCommand, tail } from './run-command.mjs';

/** Never copied: build caches and version control. */
const skippedNames = new Set(['.turbo', '.git', '.cache', '.vite', 'coverage']);

/** Root files the changesets flow reads (pnpm detection, workspace layout, config, pending changesets). */
const rootEntries = ['package.json', 'pnpm-workspace.yaml', 'pnpm-lock.yaml', '.npmrc', '.gitignore', '.changeset'];

/**
 * Copies the workspace (built `dist/` included) into `destination` so that `changeset version` and
 * `changeset publish` can run there exactly as a release would, without touching the real checkout.
 * Package `node_modules` are copied as their symlinks and the root `node_modules` is linked, so pnpm
 * and changesets resolve what they need. Packages in `withheld` are marked private in the copy, so
 * changesets skips them (they failed to build).
 *
 * @param {string} root the repository root
 * @param {string} destination an empty directory
 * @param {ReadonlyMap<string, string>} withheld package name to the reason it is not released
 */
export async function createReleaseCopy(root, destination, withheld) {
  for (const entry of rootEntries) {
    const source = join(root, entry);
    if (existsSync(source)) cpSync(source, join(destination, entry), { recursive: true });
  }
  const { packages } = listWorkspacePackages(root, readWorkspaceGlobs(root));
  for (const workspacePackage of packages) {
    cpSync(workspacePackage.directory, join(destination, workspacePackage.relativeDirectory), {
      recursive: true,
      verbatimSymlinks: true,
      filter: (source) => !skippedNames.has(basename(source)),
    });
    if (withheld.has(workspacePackage.name)) {
      const manifestPath = join(destination, workspacePackage.relativeDirectory, 'package.json');
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
      manifest.private = true;
      writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
    }
  }
  symlinkSync(join(root, 'node_modules'), join(destination, 'node_modules'), 'dir');

  // changesets reads git (status against baseBranch, tags after publish): give the copy its own repository.
  const git = [
    '-c',
    'user.name=release-check',
    '-c',
    'user.email=release-check@localhost',
    '-c',
    'commit.gpgsign=false',
  ];
  for (const commandArguments of [
    ['-c', 'init.defaultBranch=main', 'init', '-q'],
    [...git, 'add', '-A'],
    [...git, 'commit', '-q', '-m', 'release-check snapshot of the working tree'],
  ]) {
    const result = await runCommand('git', commandArguments, { cwd: destination, timeoutMilliseconds: 60_000 });
    if (result.code !== 0)
      throw new Error(`git ${commandArguments.join(' ')} failed in the release copy:\n${tail(result.output)}`);
  }
}
