// @ts-check
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findContentProblems } from './inspect-tarball.mjs';

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

describe('findContentProblems', () => {
  it('passes a clean package', () => {
    const contents = fakeContents('clean', {
      'package.json': '{}',
      'README.md': '# x',
      'dist/index.js': 'export {};\n//# sourceMappingURL=index.js.map\n',
      'dist/index.js.map': JSON.stringify({ version: 3, sources: ['../src/index.ts'], sourcesContent: ['export {};'], mappings: '' }),
      'dist/testing-free.d.ts': 'export {};',
    });
    expect(findContentProblems(contents)).toEqual([]);
  });

  it('flags tests, fixtures, configs, a missing README and source maps that leave the package', () => {
    const contents = fakeContents('dirty', {
      'package.json': '{}',
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
    const problems = findContentProblems(contents);
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
});
