// @ts-check
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findPlatformNeutralProblems, findTreeProblems, listInstalledPackages } from './installed-tree.mjs';

const root = mkdtempSync(join(tmpdir(), 'installed-tree-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/**
 * @param {string} project
 * @param {string} path e.g. node_modules/@scope/name
 * @param {Record<string, unknown>} manifest
 * @param {Record<string, string>} [files]
 */
function writePackage(project, path, manifest, files = {}) {
  const directory = join(project, path);
  mkdirSync(directory, { recursive: true });
  writeFileSync(join(directory, 'package.json'), JSON.stringify(manifest));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(directory, file)), { recursive: true });
    writeFileSync(join(directory, file), text);
  }
}

describe('listInstalledPackages on an npm layout', () => {
  const project = join(root, 'npm');
  writePackage(project, 'node_modules/@dcgan/core', { name: '@dcgan/core', version: '1.0.0' });
  writePackage(project, 'node_modules/@tensorflow/tfjs-core', { name: '@tensorflow/tfjs-core', version: '4.22.0' });
  writePackage(project, 'node_modules/plain', { name: 'plain', version: '1.0.0' }, { 'index.js': '' });
  writePackage(project, 'node_modules/plain/node_modules/@tensorflow/tfjs-core', {
    name: '@tensorflow/tfjs-core',
    version: '4.21.0',
  });
  writePackage(project, 'node_modules/sharp', { name: 'sharp', version: '0.34.5' });
  writePackage(project, 'node_modules/gyp-built', { name: 'gyp-built', version: '1.0.0' }, { 'binding.gyp': '{}' });
  writePackage(
    project,
    'node_modules/prebuilt',
    { name: 'prebuilt', version: '1.0.0' },
    { 'build/Release/addon.node': 'ELF' },
  );
  writePackage(project, 'node_modules/scripted', {
    name: 'scripted',
    version: '1.0.0',
    scripts: { postinstall: 'node x.js', test: 'x' },
  });
  writePackage(project, 'node_modules/@dcgan/train-app', { name: '@dcgan/train-app', version: '0.1.0' });
  mkdirSync(join(project, 'node_modules/.bin'), { recursive: true });
  const installed = listInstalledPackages(project);

  it('finds every package, nested and scoped ones included, with where it lies', () => {
    expect(installed.map((item) => `${item.name}@${item.version} ${item.path}`).sort()).toEqual([
      '@dcgan/core@1.0.0 node_modules/@dcgan/core',
      '@dcgan/train-app@0.1.0 node_modules/@dcgan/train-app',
      '@tensorflow/tfjs-core@4.21.0 node_modules/plain/node_modules/@tensorflow/tfjs-core',
      '@tensorflow/tfjs-core@4.22.0 node_modules/@tensorflow/tfjs-core',
      'gyp-built@1.0.0 node_modules/gyp-built',
      'plain@1.0.0 node_modules/plain',
      'prebuilt@1.0.0 node_modules/prebuilt',
      'scripted@1.0.0 node_modules/scripted',
      'sharp@0.34.5 node_modules/sharp',
    ]);
  });

  it('flags duplicated tfjs-core and private workspace packages', () => {
    const problems = findTreeProblems(installed, new Set(['@dcgan/train-app']));
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/private workspace package @dcgan\/train-app/);
    expect(problems[1]).toMatch(/2 copies of @tensorflow\/tfjs-core: .*4\.21\.0 at node_modules\/plain/);
  });

  it('flags Node-only, native, install-script and other @dcgan packages for a platform-neutral package', () => {
    const problems = findPlatformNeutralProblems(installed, '@dcgan/core').join('\n');
    expect(problems).toMatch(/Node-only package: sharp@0\.34\.5/);
    expect(problems).toMatch(/native addon: gyp-built@/);
    expect(problems).toMatch(/native addon: prebuilt@/);
    expect(problems).toMatch(/install scripts \(postinstall\): scripted@/);
    expect(problems).toMatch(/another @dcgan package: @dcgan\/train-app@/);
    expect(problems).not.toMatch(/plain@|tfjs-core/);
  });

  it('lets a platform-neutral package bring another platform-neutral @dcgan package (checked alone the same way)', () => {
    const common = {
      name: '@dcgan/common',
      version: '0.1.0',
      path: 'node_modules/@dcgan/common',
      native: false,
      installScripts: [],
    };
    const core = installed.filter((item) => item.name === '@dcgan/core' || item.name === 'plain');
    expect(findPlatformNeutralProblems([...core, common], '@dcgan/core')).toEqual([]);
    expect(findPlatformNeutralProblems([...core, { ...common, name: '@dcgan/data' }], '@dcgan/core')).toEqual([
      'pulled in another @dcgan package: @dcgan/data@0.1.0 (node_modules/@dcgan/common)',
    ]);
  });
});

describe('listInstalledPackages on a pnpm layout', () => {
  const project = join(root, 'pnpm');
  writePackage(project, 'node_modules/.pnpm/@dcgan+core@1.0.0/node_modules/@dcgan/core', {
    name: '@dcgan/core',
    version: '1.0.0',
  });
  writePackage(project, 'node_modules/.pnpm/long@4.0.0/node_modules/long', { name: 'long', version: '4.0.0' });
  mkdirSync(join(project, 'node_modules/@dcgan'), { recursive: true });
  symlinkSync('../.pnpm/@dcgan+core@1.0.0/node_modules/@dcgan/core', join(project, 'node_modules/@dcgan/core'));
  symlinkSync('../.pnpm/missing/node_modules/gone', join(project, 'node_modules/dangling'));

  it('walks the .pnpm store once per real directory and ignores dangling links', () => {
    const installed = listInstalledPackages(project);
    expect(installed.map((item) => item.name).sort()).toEqual(['@dcgan/core', 'long']);
    expect(findPlatformNeutralProblems(installed, '@dcgan/core')).toEqual([]);
    expect(findTreeProblems(installed, new Set())).toEqual([]);
  });
});
