// @ts-check
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  extractFencedBlocks,
  findFirstExample,
  findInstallArguments,
  splitImports,
  toCommonJsExample,
  transpileExample,
} from './readme-example.mjs';

const readme = [
  '# @dcgan/thing',
  '',
  '```sh',
  '$ npm install @dcgan/thing @tensorflow/tfjs-core@4.22.0 --save  # the peers too',
  'pnpm add @dcgan/other',
  '```',
  '',
  '~~~~ts title="first"',
  "import { join } from 'node:path';",
  "import type { ParsedPath } from 'node:path';",
  '',
  "const parts: string[] = ['a', 'b'];",
  'const joined = await Promise.resolve(join(...parts));',
  'const parsed: ParsedPath | undefined = undefined;',
  'console.log(`joined ${joined} ${String(parsed)}`);',
  '~~~~',
  '',
  '```js',
  "console.log('second example');",
  '```',
  '',
  '```ts',
  'never closed',
].join('\n');

describe('extractFencedBlocks', () => {
  it('reads ``` and ~~~ fences with their language, and drops an unclosed one', () => {
    const blocks = extractFencedBlocks(readme);
    expect(blocks.map((block) => block.language)).toEqual(['sh', 'ts', 'js']);
    expect(blocks[1]?.code.split('\n')[0]).toBe("import { join } from 'node:path';");
  });
});

describe('findInstallArguments', () => {
  it('takes the first npm install line, without its prompt, flags and comment', () => {
    expect(findInstallArguments(extractFencedBlocks(readme))).toEqual(['@dcgan/thing', '@tensorflow/tfjs-core@4.22.0']);
  });

  it('accepts `npm i` and ignores lines of other package managers', () => {
    const blocks = extractFencedBlocks('```bash\npnpm add a\nyarn add b\nnpm i c d\n```\n');
    expect(findInstallArguments(blocks)).toEqual(['c', 'd']);
  });

  it('is undefined when the README has no npm install line', () => {
    expect(findInstallArguments(extractFencedBlocks('```ts\nnpm install a\n```\n'))).toBeUndefined();
  });
});

describe('findFirstExample', () => {
  it('skips shell blocks and takes the first ts/js block', () => {
    expect(findFirstExample(extractFencedBlocks(readme))?.language).toBe('ts');
  });
});

describe('splitImports', () => {
  it('separates multi-line imports from the statements that follow', () => {
    const { imports, body } = splitImports(
      "import {\n  a,\n  b,\n} from 'x';\nimport 'side-effect';\n\nconst c = a + b;\n// done\n",
    );
    expect(imports).toBe("import {\n  a,\n  b,\n} from 'x';\nimport 'side-effect';");
    expect(body).toBe('const c = a + b;\n// done\n');
  });
});

describe('the example, transpiled', () => {
  const directory = mkdtempSync(join(tmpdir(), 'readme-example-test-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  const example = findFirstExample(extractFencedBlocks(readme))?.code ?? '';

  it('runs as ESM with top-level await', () => {
    const file = join(directory, 'example.mjs');
    writeFileSync(file, transpileExample(example, 'esm'));
    expect(execFileSync(process.execPath, [file], { encoding: 'utf8' })).toBe(`joined ${join('a', 'b')} undefined\n`);
  });

  it('runs as CommonJS, with require() and the statements inside main()', () => {
    const file = join(directory, 'example.cjs');
    const commonJs = transpileExample(toCommonJsExample(example), 'commonjs');
    expect(commonJs).toMatch(/require\("node:path"\)/);
    expect(commonJs).not.toMatch(/^import /m);
    writeFileSync(file, commonJs);
    expect(execFileSync(process.execPath, [file], { encoding: 'utf8' })).toBe(`joined ${join('a', 'b')} undefined\n`);
  });

  it('sets a failing exit code when the CommonJS example throws', () => {
    const file = join(directory, 'throws.cjs');
    writeFileSync(
      file,
      transpileExample(toCommonJsExample("import 'node:path';\nthrow new Error('boom');\n"), 'commonjs'),
    );
    expect(() => execFileSync(process.execPath, [file], { stdio: 'pipe' })).toThrow(/boom/);
  });
});
