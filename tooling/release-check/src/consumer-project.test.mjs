// @ts-check
import { describe, expect, it } from 'vitest';
import { atDistTag, readExample, splitTypeErrors } from './consumer-project.mjs';

describe('splitTypeErrors', () => {
  it('keeps errors in the example and in @dcgan declarations, and names third-party packages apart', () => {
    const output = [
      "example.ts(11,21): error TS2552: Cannot find name 'batches'. Did you mean 'batch'?",
      "node_modules/@tensorflow/tfjs-core/dist/hash_util.d.ts(2,49): error TS2304: Cannot find name 'Long'.",
      "node_modules/@tensorflow/tfjs-layers/dist/engine/training.d.ts(144,22): error TS2420: Class 'LayersModel' incorrectly implements interface 'InferenceModel'.",
      "  Types of property 'inputs' are incompatible.",
      "node_modules/@dcgan/core/dist/index.d.ts(3,1): error TS1005: ';' expected.",
      '  a continuation line of the @dcgan error',
      'node_modules/long/index.d.ts(1,1): error TS2300: Duplicate identifier.',
      "error TS5083: Cannot read file 'tsconfig.json'.",
    ].join('\n');
    const { own, foreign } = splitTypeErrors(output);
    expect(own).toEqual([
      "example.ts(11,21): error TS2552: Cannot find name 'batches'. Did you mean 'batch'?",
      "node_modules/@dcgan/core/dist/index.d.ts(3,1): error TS1005: ';' expected.",
      '  a continuation line of the @dcgan error',
      "error TS5083: Cannot read file 'tsconfig.json'.",
    ]);
    expect([...foreign]).toEqual(['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', 'long']);
  });
});

describe('readExample', () => {
  it('says what is missing from a README', () => {
    expect(readExample('# x\n\n```sh\nnpm install x\n```\n')).toMatch(
      /no ```ts or ```js example \(its code blocks: sh\)/,
    );
    expect(readExample('# x\n\n```ts\nconsole.log(1);\n```\n')).toMatch(/no `npm install \.\.\.` line/);
  });

  it('gives the install arguments and both module forms of the first example', () => {
    const example = readExample("```sh\nnpm install x y\n```\n```ts\nimport { a } from 'x';\nawait a();\n```\n");
    expect(typeof example).toBe('object');
    if (typeof example === 'string') return;
    expect(example.installArguments).toEqual(['x', 'y']);
    expect(example.esmSource).toBe("import { a } from 'x';\nawait a();");
    expect(example.commonJsSource).toContain(
      "import { a } from 'x';\n\nasync function main(): Promise<void> {\n  await a();\n}",
    );
  });
});

describe('atDistTag', () => {
  it('asks for bare @dcgan packages at the tag and leaves pinned and other packages alone', () => {
    expect(
      atDistTag(['@dcgan/core', '@dcgan/data@0.1.0', '@tensorflow/tfjs-core@4.22.0', 'mnist'], 'snapshot'),
    ).toEqual(['@dcgan/core@snapshot', '@dcgan/data@0.1.0', '@tensorflow/tfjs-core@4.22.0', 'mnist']);
  });
});
