// @ts-check
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findContentProblems, findManifestProblems, sideEffectsMatcher } from './inspect-tarball.mjs';

const root = mkdtempSync(join(tmpdir(), 'inspect-tarball-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/**
 * @param {string} name
 * @param {Record<string, string>} files
 */
function fakeContents(name, files) {
  const directory = join(root, name);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(directory, file)), { recursive: true });
    writeFileSync(join(directory, file), text);
  }
  return { tarball: `${directory}.tgz`, directory, packedBytes: 0, unpackedBytes: 0, files: Object.keys(files).sort() };
}

const expected = { relativeDirectory: 'packages/x', repositoryUrl: 'git+https://github.com/example/x.git' };

/** A package.json with all the publishing metadata the check asks for. */
const completeManifest = {
  name: '@dcgan/x',
  license: 'MIT',
  keywords: ['dcgan'],
  homepage: 'https://github.com/example/x/tree/main/packages/x#readme',
  bugs: { url: 'https://github.com/example/x/issues' },
  repository: { type: 'git', url: expected.repositoryUrl, directory: 'packages/x' },
  sideEffects: false,
};

describe('findContentProblems', () => {
  it('passes a clean package', () => {
    const contents = fakeContents('clean', {
      'package.json': JSON.stringify(completeManifest),
      'README.md': '# x',
      LICENSE: 'MIT License',
      'dist/index.js': 'export {};\n//# sourceMappingURL=index.js.map\n',
      'dist/index.js.map': JSON.stringify({
        version: 3,
        sources: ['../src/index.ts'],
        sourcesContent: ['export {};'],
        mappings: '',
      }),
      'dist/testing-free.d.ts': 'export {};',
    });
    expect(findContentProblems(contents, expected)).toEqual([]);
  });

  it('flags tests, fixtures, configs, a missing README and source maps that leave the package', () => {
    const contents = fakeContents('dirty', {
      'package.json': JSON.stringify(completeManifest),
      LICENSE: 'MIT License',
      'dist/index.js': 'export {};\n//# sourceMappingURL=gone.js.map\n',
      'dist/index.test.js': '',
      'test/fixtures/digits.bin': '',
      'src/test-support/fake.ts': '',
      'tsconfig.json': '{}',
      'tsup.config.ts': '',
      'dist/outside.js.map': JSON.stringify({ version: 3, sources: ['../../../src/index.ts'], mappings: '' }),
      'dist/absolute.js.map': JSON.stringify({ version: 3, sources: ['/work/main/packages/x/src/a.ts'], mappings: '' }),
      'dist/unshipped.js.map': JSON.stringify({ version: 3, sources: ['../src/a.ts'], mappings: '' }),
      'dist/labelled.js.map': JSON.stringify({ version: 3, sources: ['webpack://x/a.ts'], mappings: '' }),
    });
    const problems = findContentProblems(contents, expected);
    expect(problems).toEqual(
      expect.arrayContaining([
        'no README.md',
        'ships dist/index.test.js (test file)',
        'ships test/fixtures/digits.bin (test or fixture folder)',
        'ships src/test-support/fake.ts (test or fixture folder)',
        'ships tsconfig.json (tsconfig (extends a workspace-only package))',
        'ships tsup.config.ts (build/test config)',
        'dist/index.js names source map gone.js.map, which is not shipped',
        'dist/outside.js.map points outside the package: ../../../src/index.ts',
        'dist/absolute.js.map points outside the package: /work/main/packages/x/src/a.ts',
        'dist/unshipped.js.map points at ../src/a.ts, which is not shipped and has no sourcesContent',
      ]),
    );
    expect(problems.join('\n')).not.toMatch(/labelled/);
    expect(problems).toHaveLength(10);
  });

  it('fails a tarball without a LICENSE file, and one whose package.json lacks the publishing metadata', () => {
    const contents = fakeContents('no-license', {
      'package.json': JSON.stringify({ name: '@dcgan/x', license: 'MIT', sideEffects: false }),
      'README.md': '# x',
      'dist/index.js': 'export {};',
    });
    expect(findContentProblems(contents, expected)).toEqual([
      'no LICENSE file (copy the repository LICENSE into the package folder; npm always packs it)',
      'package.json has no `repository` object (want { "type": "git", "url": "git+https://github.com/example/x.git", "directory": "packages/x" })',
      'package.json has no https `homepage`',
      'package.json has no `bugs.url`',
      'package.json has no `keywords`',
    ]);
  });

  it('accepts LICENSE.md and LICENCE spellings', () => {
    for (const [index, name] of ['LICENSE.md', 'LICENCE', 'license.txt'].entries()) {
      const contents = fakeContents(`licence-${index}`, {
        'package.json': JSON.stringify(completeManifest),
        'README.md': '# x',
        [name]: 'MIT',
      });
      expect(findContentProblems(contents, expected)).toEqual([]);
    }
  });
});

describe('findManifestProblems', () => {
  it('wants the root repository URL and the package folder as repository.directory', () => {
    const manifest = {
      ...completeManifest,
      repository: { type: 'git', url: 'git+https://github.com/other/y.git', directory: 'packages/y' },
    };
    expect(findManifestProblems(manifest, ['package.json'], expected)).toEqual([
      'package.json `repository.url` is "git+https://github.com/other/y.git", not the root package.json\'s "git+https://github.com/example/x.git"',
      'package.json `repository.directory` is "packages/y", not "packages/x"',
    ]);
  });

  it('flags a sideEffects pattern that matches no shipped file (a name the build never produces)', () => {
    const files = ['package.json', 'dist/index.js', 'dist/index.cjs', 'dist/register-layers.js'];
    const manifest = {
      ...completeManifest,
      sideEffects: ['./dist/register-wasm-kernels.*', './dist/register-layers.js'],
    };
    expect(findManifestProblems(manifest, files, expected)).toEqual([
      'package.json `sideEffects` names "./dist/register-wasm-kernels.*", which matches no shipped file',
    ]);
    const { sideEffects, ...withoutSideEffects } = completeManifest;
    expect(sideEffects).toBe(false);
    expect(findManifestProblems(withoutSideEffects, files, expected)).toEqual([
      'package.json has no `sideEffects` (false, or the files that register kernels or layers)',
    ]);
  });
});

describe('sideEffectsMatcher', () => {
  it('reads globs as bundlers do', () => {
    expect(sideEffectsMatcher('./dist/register-*.js').test('dist/register-kernels.js')).toBe(true);
    expect(sideEffectsMatcher('./dist/register-*.js').test('dist/sub/register-kernels.js')).toBe(false);
    expect(sideEffectsMatcher('dist/**/*.css').test('dist/a/b/c.css')).toBe(true);
    expect(sideEffectsMatcher('dist/**/*.css').test('dist/c.css')).toBe(true);
    expect(sideEffectsMatcher('*.css').test('dist/deep/style.css')).toBe(true);
    expect(sideEffectsMatcher('./dist/index.js').test('dist/indexXjs')).toBe(false);
  });
});
