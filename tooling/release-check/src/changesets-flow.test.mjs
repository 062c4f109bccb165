// @ts-check
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  expectedReleases,
  isSnapshotVersion,
  namedInChangesets,
  snapshotChangesetFile,
  versionPackages,
  versionSnapshot,
} from './changesets-flow.mjs';
import { runCommand } from './run-command.mjs';

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const changesetBin = join(repositoryRoot, 'node_modules', '@changesets', 'cli', 'bin.js');
const root = mkdtempSync(join(tmpdir(), 'changesets-flow-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('namedInChangesets', () => {
  it('reads the packages of each front matter and leaves out `none`', () => {
    const names = namedInChangesets([
      "---\n'@dcgan/core': minor\n\"@dcgan/data\": patch\n---\n\nText with '@dcgan/probe': major in it.\n",
      '---\n@dcgan/latent: none\n---\n',
    ]);
    expect([...names].sort()).toEqual(['@dcgan/core', '@dcgan/data']);
  });
});

describe('expectedReleases', () => {
  it('adds dependents transitively through dependencies and peers, not devDependencies', () => {
    const packages = [
      { name: 'a', manifest: {} },
      { name: 'b', manifest: { dependencies: { a: 'workspace:^' } } },
      { name: 'c', manifest: { peerDependencies: { b: '^1.0.0' } } },
      { name: 'd', manifest: { devDependencies: { a: 'workspace:*' } } },
      { name: 'e', manifest: {} },
    ];
    expect([...expectedReleases(packages, new Set(['a', 'not-in-workspace']))].sort()).toEqual(['a', 'b', 'c']);
  });
});

/**
 * @param {string} directory
 * @param {Record<string, unknown>} manifest
 */
function writeManifest(directory, manifest) {
  mkdirSync(directory, { recursive: true });
  writeFileSync(join(directory, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

/**
 * A git-committed pnpm workspace with this repository's changesets config: @fixture/b depends on
 * @fixture/a, @fixture/c stands alone, and one pending changeset asks for a minor release of a.
 * @param {string} workspace
 */
async function createFixtureWorkspace(workspace) {
  writeManifest(workspace, { name: 'fixture-root', private: true, packageManager: 'pnpm@10.34.9' });
  writeFileSync(join(workspace, 'pnpm-workspace.yaml'), 'packages:\n  - packages/*\n');
  writeManifest(join(workspace, 'packages', 'a'), { name: '@fixture/a', version: '0.1.0' });
  writeManifest(join(workspace, 'packages', 'b'), {
    name: '@fixture/b',
    version: '0.1.0',
    dependencies: { '@fixture/a': 'workspace:^' },
  });
  writeManifest(join(workspace, 'packages', 'c'), { name: '@fixture/c', version: '0.1.0' });
  mkdirSync(join(workspace, '.changeset'));
  writeFileSync(
    join(workspace, '.changeset', 'config.json'),
    readFileSync(join(repositoryRoot, '.changeset', 'config.json')),
  );
  writeFileSync(join(workspace, '.changeset', 'a-gets-a-feature.md'), "---\n'@fixture/a': minor\n---\n\nA feature.\n");
  symlinkSync(join(repositoryRoot, 'node_modules'), join(workspace, 'node_modules'), 'dir');
  const git = ['-c', 'user.name=test', '-c', 'user.email=test@localhost', '-c', 'commit.gpgsign=false'];
  for (const commandArguments of [
    ['-c', 'init.defaultBranch=main', 'init', '-q'],
    [...git, 'add', '-A'],
    [...git, 'commit', '-qm', 'fixture'],
  ]) {
    expect((await runCommand('git', commandArguments, { cwd: workspace })).code).toBe(0);
  }
}

describe('versionPackages (the real changesets CLI, this repository config)', () => {
  it('bumps the named package and its dependent, writes their CHANGELOGs, leaves the rest, consumes the changeset', async () => {
    const workspace = join(root, 'workspace');
    await createFixtureWorkspace(workspace);

    const outcome = await versionPackages(workspace, changesetBin, process.env);

    expect(outcome.problems).toEqual([]);
    expect(
      Object.fromEntries([...outcome.versions].map(([name, item]) => [name, `${item.before}->${item.after}`])),
    ).toEqual({
      '@fixture/a': '0.1.0->0.2.0',
      '@fixture/b': '0.1.0->0.1.1',
      '@fixture/c': '0.1.0->0.1.0',
    });
    expect(readFileSync(join(workspace, 'packages', 'a', 'CHANGELOG.md'), 'utf8')).toMatch(
      /## 0\.2\.0[\s\S]*A feature\./,
    );
    expect(readFileSync(join(workspace, 'packages', 'b', 'CHANGELOG.md'), 'utf8')).toMatch(
      /## 0\.1\.1[\s\S]*@fixture\/a@0\.2\.0/,
    );
    expect(
      JSON.parse(readFileSync(join(workspace, 'packages', 'b', 'package.json'), 'utf8')).dependencies['@fixture/a'],
    ).toBe('workspace:^');
  });
});

describe('versionSnapshot (the real changesets CLI, this repository config)', () => {
  it('gives snapshot versions to what is pending, the packages asked for and their dependents, and consumes the changesets', async () => {
    const workspace = join(root, 'snapshot-workspace');
    await createFixtureWorkspace(workspace);

    const outcome = await versionSnapshot(workspace, changesetBin, process.env, ['@fixture/c']);

    expect(outcome.problems).toEqual([]);
    const versions = Object.fromEntries(outcome.versions);
    expect(Object.keys(versions).sort()).toEqual(['@fixture/a', '@fixture/b', '@fixture/c']);
    // useCalculatedVersion: the version the next release would have, then -snapshot-<UTC date-time>.
    expect(versions['@fixture/a']).toMatch(/^0\.2\.0-snapshot-\d{14}$/);
    expect(versions['@fixture/b']).toMatch(/^0\.1\.1-snapshot-\d{14}$/);
    expect(versions['@fixture/c']).toMatch(/^0\.1\.1-snapshot-\d{14}$/);
    expect(JSON.parse(readFileSync(join(workspace, 'packages', 'c', 'package.json'), 'utf8')).version).toBe(
      versions['@fixture/c'],
    );
    expect(existsSync(join(workspace, '.changeset', snapshotChangesetFile))).toBe(false);
  });
});

describe('isSnapshotVersion', () => {
  it('accepts only <next version>-snapshot-<14 digits>', () => {
    expect(isSnapshotVersion('0.2.0-snapshot-20261206101500')).toBe(true);
    expect(isSnapshotVersion('0.2.0')).toBe(false);
    expect(isSnapshotVersion('0.0.0-snapshot-2026')).toBe(false);
    expect(isSnapshotVersion('0.2.0-next-20261206101500')).toBe(false);
  });
});
